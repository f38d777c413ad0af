#include "test_support.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace aio_test {

namespace {
std::vector<aio::exception_context> g_reports;
std::unique_ptr<aio::event_loop> g_loop;
bool g_allow_leftovers = false;
std::map<int, std::string> g_fds_before;

// The open descriptors of the process and what each refers to ("socket:[123]", "anon_inode:[io_uring]").
std::map<int, std::string> open_fds() {
  std::map<int, std::string> out;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    const int own = ::dirfd(d);
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      int fd = -1;
      std::from_chars(e->d_name, e->d_name + std::strlen(e->d_name), fd);
      if (fd == own) continue;
      char target[256];
      const ssize_t n =
          ::readlink(("/proc/self/fd/" + std::string(e->d_name)).c_str(), target, sizeof target);
      out[fd] = n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?";
    }
    ::closedir(d);
  }
  return out;
}

// What changed since `before`, as "+fd -> target" (opened) and "-fd -> target" (closed) lines, or ""
// when the process holds as many descriptors as it did. Another thread of the process (aio ps's agent
// serving a request, a symbolizer reading the binary) may hold one for a moment: a leak is one that
// stays, so a difference is looked at again for up to 200 ms before it counts.
std::string fd_change_since(const std::map<int, std::string>& before) {
  std::map<int, std::string> now;
  for (int attempt = 0; attempt < 20; ++attempt) {
    now = open_fds();
    if (now.size() == before.size()) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string text;
  for (const auto& [fd, target] : now) {
    if (before.count(fd) == 0 || before.at(fd) != target)
      text += "\n  +" + std::to_string(fd) + " -> " + target;
  }
  for (const auto& [fd, target] : before) {
    if (now.count(fd) == 0 || now.at(fd) != target) text += "\n  -" + std::to_string(fd) + " -> " + target;
  }
  return text;
}

void after_main(aio::event_loop& loop, void* /*ctx*/) {
  if (!g_allow_leftovers) {
    std::string names;
    for (aio::detail::task_header* t : loop.tasks()) names += " '" + t->name() + "'";
    EXPECT_EQ(loop.live_tasks(), 0U) << "tasks still running when main returned:" << names;
  }
}

void before_close(aio::event_loop& loop, void* /*ctx*/) {
  EXPECT_EQ(loop.live_tasks(), 0U) << "tasks left after shutdown";
  EXPECT_EQ(loop.pending_timers(), 0U) << "timers left when the loop closed";
  EXPECT_EQ(loop.watched_fds(), 0U) << "fds still watched when the loop closed";
}
}  // namespace

std::vector<aio::exception_context>& reports() { return g_reports; }

std::size_t open_fd_count() { return open_fds().size(); }

std::string describe(const aio::exception_context& report) {
  std::string out = report.message.empty() ? "(no message)" : report.message;
  if (!report.task_name.empty()) out += " [task '" + report.task_name + "']";
  if (report.exception) {
    try {
      std::rethrow_exception(report.exception);
    } catch (const std::exception& e) {
      out += std::string(": ") + e.what();
    } catch (...) {
      out += ": (an exception that is not a std::exception)";
    }
  }
  return out;
}

std::vector<std::string> report_messages() {
  std::vector<std::string> out;
  out.reserve(g_reports.size());
  for (const auto& r : g_reports) out.push_back(r.message);
  return out;
}

namespace detail {

aio::event_loop* begin(const options& opts) {
  g_reports.clear();
  g_fds_before = open_fds();
  g_allow_leftovers = opts.allow_leftover_tasks;
  aio::run_options ro{.debug = opts.debug, .backend = opts.backend, .clock = opts.clock};
  g_loop = std::make_unique<aio::event_loop>(aio::detail::prepare_run(ro));
  g_loop->set_exception_handler(
      [](aio::event_loop&, const aio::exception_context& ctx) { g_reports.push_back(ctx); });
  return g_loop.get();
}

void finish(aio::event_loop* loop, const aio::task_handle& main, const options& opts) {
  aio::run_options ro{.debug = opts.debug,
                      .backend = opts.backend,
                      .clock = opts.clock,
                      .handle_sigint = false,
                      .stall_threshold = opts.stall_threshold,
                      .trace_path = std::string(opts.trace_path)};
  aio::detail::run_hooks hooks{&after_main, &before_close, nullptr};
  aio::detail::run_main(*loop, main, ro, hooks);
  g_loop.reset();  // closing the loop can report too (a task destroyed with its failure unseen)
  // A report nobody expected is a failure the loop swallowed: a callback that threw, a task whose
  // exception was never retrieved. It fails the test with the report's own words.
  if (g_reports.size() != opts.expected_reports) {
    std::string text;
    for (const aio::exception_context& r : g_reports) text += "\n  " + describe(r);
    ADD_FAILURE() << "the loop's exception handler received " << g_reports.size()
                  << " report(s) where the test expected " << opts.expected_reports << ":" << text;
  }
  if (opts.check_fds) {
    const std::string change = fd_change_since(g_fds_before);
    EXPECT_TRUE(change.empty()) << "file descriptors leaked (+) or closed (-) by the run:" << change;
  }
}

}  // namespace detail

double seconds_since(aio::clock::time_point start) {
  return std::chrono::duration<double>(aio::get_running_loop().time() - start).count();
}

}  // namespace aio_test
