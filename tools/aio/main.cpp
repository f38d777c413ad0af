// `aio`: command-line tools for aio programs. `aio ps PID` lists the live tasks of a running aio
// program, `aio pstree PID` draws who awaits whom (Python's `python -m asyncio ps` / `pstree`). The
// program answers through its agent thread even while its event loop is stuck (docs/guide/debugging.md).
// `aio trace-svg FILE` draws a trace timeline (AIO_TRACE=FILE) as an SVG picture.

#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

#include "ps_client.hpp"
#include "ps_model.hpp"
#include "trace_svg.hpp"

namespace {

constexpr std::chrono::milliseconds k_timeout{2000};

constexpr std::string_view k_usage =
    "usage: aio ps PID       list the live tasks of aio program PID: id, name, coroutine stack\n"
    "                        (innermost first) and the tasks awaiting each\n"
    "       aio pstree PID   draw the await tree of aio program PID\n"
    "       aio trace-svg FILE   draw the trace timeline FILE (written by AIO_TRACE=FILE or\n"
    "                        run_options{.trace_path}) as SVG on standard output: one row per task\n"
    "       aio --help       show this help\n"
    "\n"
    "The program answers while its event loop is busy or blocked: a thread of its own reads the\n"
    "tasks while each loop's thread is held for a moment. Only the program's user, or root, may ask.\n"
    "AIO_PS=0 in the program's environment turns this off.\n";

// A whole decimal number in [1, INT_MAX], nothing else.
bool parse_pid(std::string_view text, pid_t& out) {
  if (text.empty() || text.size() > 10) return false;
  long long v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > INT_MAX) return false;
  out = static_cast<pid_t>(v);
  return true;
}

std::string process_name(pid_t pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

int fail(const std::string& message) {
  std::cerr << "aio: " << message << '\n';
  return 1;
}

int usage_error(const std::string& message) {
  std::cerr << "aio: " << message << "\n\n" << k_usage;
  return 2;
}

int run_command(std::string_view command, pid_t pid) {
  const aio_cli::query_result r = aio_cli::query_tasks(pid, k_timeout);
  const std::string who = "process " + std::to_string(pid);
  const std::string name = process_name(pid);
  const std::string named = name.empty() ? who : who + " (" + name + ")";
  switch (r.kind) {
    case aio_cli::query_result::ok:
      break;
    case aio_cli::query_result::no_process:
      return fail("no such process: " + std::to_string(pid));
    case aio_cli::query_result::other_user:
      return fail(named + " belongs to another user: permission denied (run as that user or root)");
    case aio_cli::query_result::not_aio:
      return fail(named +
                  " is not an aio program answering 'aio ps': no aio-ps socket (it is not inside "
                  "aio::run, runs with AIO_PS=0, or in another network namespace)");
    case aio_cli::query_result::refused:
      return fail(named + " refused: " + r.text);
    case aio_cli::query_result::timed_out:
      return fail(named + " did not answer within " + std::to_string(k_timeout.count() / 1000) + " s");
    case aio_cli::query_result::failed:
      return fail(named + ": " + r.text);
  }
  aio_cli::process_info info;
  std::string error;
  if (!aio_cli::parse_reply(r.text, info, error)) return fail(named + ": " + error);
  if (command == "ps") {
    aio_cli::print_table(info, std::cout);
  } else {
    aio_cli::print_tree(info, std::cout);
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int trace_svg(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read '" + path + "': " + std::strerror(errno));
    std::ostringstream all;
    all << in.rdbuf();
    text = std::move(all).str();
  }
  std::string error;
  std::ostringstream svg;
  if (!aio_cli::trace_to_svg(text, svg, error)) return fail(path + ": " + error);
  std::cout << svg.str();
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("no command given");
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << k_usage;
    return 0;
  }
  if (command == "trace-svg") {
    if (argc != 3) return usage_error("trace-svg takes exactly one trace file ('-': standard input)");
    return trace_svg(argv[2]);
  }
  if (command != "ps" && command != "pstree")
    return usage_error("unknown command '" + std::string(command) + "'");
  if (argc != 3) return usage_error(std::string(command) + " takes exactly one PID");
  pid_t pid = 0;
  if (!parse_pid(argv[2], pid))
    return usage_error("invalid PID '" + std::string(argv[2]) + "': expected a positive number");
  return run_command(command, pid);
}
