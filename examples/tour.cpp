// aio_tour: runs every example of the asyncio tutorials, in aio, on the real clock. For each one it
// prints a header, the example's own output (indented), and the time it took beside the time the
// tutorial promises.
//
//   aio_tour                 every example, real time (~45 s)
//   aio_tour gather race     only the examples whose name contains one of the words
//   aio_tour --list          the names and titles
//   aio_tour --virtual       on virtual time: timers jump, the whole tour takes about a second
//
// The sequential and concurrent fetches also record a trace timeline (AIO_TRACE, docs/guide/
// debugging.md) in the temporary directory: `aio trace-svg` draws it, one row per task, the picture the
// tutorials draw by hand.

#include <aio/aio.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "catalog.hpp"

namespace {

/// Prefixes every line written through it and flushes at each newline, so output appears live.
class indenting_buffer final : public std::streambuf {
 public:
  indenting_buffer(std::streambuf* dest, std::string prefix) : m_dest(dest), m_prefix(std::move(prefix)) {}

 protected:
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    if (m_at_line_start) m_dest->sputn(m_prefix.data(), static_cast<std::streamsize>(m_prefix.size()));
    m_at_line_start = traits_type::to_char_type(ch) == '\n';
    const int_type r = m_dest->sputc(traits_type::to_char_type(ch));
    if (m_at_line_start) m_dest->pubsync();
    return r;
  }
  int sync() override { return m_dest->pubsync(); }

 private:
  std::streambuf* m_dest;
  std::string m_prefix;
  bool m_at_line_start = true;
};

/// Runs one example inside the loop and measures it on the loop's clock (real or virtual).
aio::coro<double> timed(const aio_examples::example& ex, std::ostream& out) {
  const auto start = aio::get_running_loop().time();
  co_await ex.main(out);
  co_return std::chrono::duration<double>(aio::get_running_loop().time() - start).count();
}

/// Real time is never exact: allow scheduling noise, but flag anything far from the promise.
bool as_promised(double measured, double promised) {
  return std::abs(measured - promised) <= 0.15 + 0.05 * promised;
}

struct outcome {
  std::string_view name;
  double promised;
  double measured;
  bool failed;
  bool load_run;  ///< no promise: the time is the machine's speed
};

/// The examples whose run the tour records as a trace timeline: the picture of why async helps.
constexpr std::string_view k_traced[] = {"fetch_sequential", "fetch_concurrent"};

bool traced(std::string_view name) {
  for (auto t : k_traced) {
    if (t == name) return true;
  }
  return false;
}

/// Where a traced example's timeline goes: the temporary directory ($TMPDIR, else /tmp).
std::string trace_file(std::string_view name) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  return (dir / ("aio-tour-" + std::string(name) + ".json")).string();
}

/// The `aio` command built beside the tour (build/bin/aio), else the one on PATH.
std::string aio_command() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto beside = exe.parent_path().parent_path() / "bin" / "aio";
    if (std::filesystem::exists(beside, ec)) return beside.string();
  }
  return "aio";
}

bool selected(std::string_view name, const std::vector<std::string_view>& words) {
  if (words.empty()) return true;
  for (auto w : words) {
    if (name.find(w) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  bool virtual_time = false;
  bool list = false;
  std::vector<std::string_view> words;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--virtual") {
      virtual_time = true;
    } else if (arg == "--list") {
      list = true;
    } else if (arg == "-h" || arg == "--help") {
      std::cout << "usage: aio_tour [--list] [--virtual] [name...]\n";
      return 0;
    } else {
      words.push_back(arg);
    }
  }
  const auto examples = aio_examples::catalog();
  if (list) {
    for (const auto& ex : examples)
      std::printf("%-26s %s\n", std::string(ex.name).c_str(), std::string(ex.title).c_str());
    return 0;
  }

  std::cout << "aio tour: the asyncio and aiohttp tutorials' examples in C++20, on "
            << (virtual_time ? "virtual time (timers jump)" : "the real clock") << "\n";
  std::vector<outcome> results;
  std::size_t index = 0;
  for (const auto& ex : examples) {
    ++index;
    if (!selected(ex.name, words)) continue;
    std::cout << "\n== " << index << "/" << examples.size() << "  " << ex.name << ": " << ex.title << "\n";
    indenting_buffer indented(std::cout.rdbuf(), "   | ");
    std::ostream out(&indented);
    outcome o{ex.name, ex.promised_seconds, 0.0, false, ex.load_run};
    // An unwritable trace file is reported once and the example runs on untraced.
    const std::string trace = traced(ex.name) ? trace_file(ex.name) : std::string();
    try {
      o.measured = aio::run(timed(ex, out), {.clock = virtual_time ? aio::virtual_clock : aio::real_clock,
                                             .trace_path = trace});
    } catch (const std::exception& e) {
      out.flush();
      std::cout << "   failed: " << e.what() << "\n";
      o.failed = true;
    } catch (const aio::cancelled_error&) {
      std::cout << "   cancelled\n";
      o.failed = true;
    }
    if (!o.failed && o.load_run) {
      std::printf("   took %.2f s (as fast as this machine goes: no promise)\n", o.measured);
    } else if (!o.failed) {
      std::printf("   took %.2f s; the tutorial promises %.1f s%s\n", o.measured, o.promised,
                  as_promised(o.measured, o.promised) ? "" : "   <-- not as promised");
    }
    if (!trace.empty() && std::filesystem::exists(trace)) {
      std::cout << "   trace timeline: " << trace << "\n"
                << "   draw it:        " << aio_command() << " trace-svg " << trace << " > " << ex.name
                << ".svg   (or open it in ui.perfetto.dev)\n";
    }
    std::fflush(stdout);
    results.push_back(o);
  }

  std::cout << "\n"
            << "summary                    promised   measured\n";
  int failures = 0;
  double total = 0;
  for (const auto& r : results) {
    total += r.measured;
    const char* mark = r.failed     ? "FAILED"
                       : r.load_run ? "ok (measured)"
                                    : (as_promised(r.measured, r.promised) ? "ok" : "slow/fast");
    failures += r.failed ? 1 : 0;
    if (r.load_run) {
      std::printf("  %-24s %8s   %6.2f s   %s\n", std::string(r.name).c_str(), "-", r.measured, mark);
    } else {
      std::printf("  %-24s %6.1f s   %6.2f s   %s\n", std::string(r.name).c_str(), r.promised, r.measured,
                  mark);
    }
  }
  std::printf("%zu examples, %d failed, %.1f s in all\n", results.size(), failures, total);
  return failures == 0 ? 0 : 1;
}
