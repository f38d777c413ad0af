#pragma once
// Test helpers: run a coroutine as aio::run does, on virtual time by default, and prove that the loop
// closed with nothing alive (libuv's MAKE_VALGRIND_HAPPY): no task, timer or fd left behind, and no
// report to the exception handler unless the test expected it.

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aio/aio.hpp"

namespace aio_test {

struct options {
  aio::clock_mode clock = aio::virtual_clock;
  bool allow_leftover_tasks = false;  ///< main may return with tasks still running (they get cancelled)
  bool debug = false;
  bool check_fds = true;  ///< the process has as many open fds after the run as before it
  aio::backend_kind backend = aio::backend_kind::automatic;  ///< automatic honours AIO_BACKEND
  /// How many reports the test expects the loop's exception handler to receive; it then checks them
  /// itself through `reports()` once `run` returns. Any other number fails the test, listing every
  /// report's text. Reports the test takes out of `reports()` during the run (by reading and clearing
  /// it) are handled there and not counted.
  std::size_t expected_reports = 0;
  /// The stall detector's threshold (aio::run_options::stall_threshold); off unless a test asks.
  aio::clock::duration stall_threshold = aio::clock::duration::zero();
  /// Record a trace timeline into this file (aio::run_options::trace_path); empty: none (the
  /// environment's AIO_TRACE is not read, so it does not change the suite). A view, not a std::string:
  /// clang with libstdc++ 12 cannot build a std::string member in the constexpr `k_real` below.
  std::string_view trace_path = {};
};

/// The wall clock instead of virtual time, for tests whose waits end outside the loop: another process,
/// a thread, a peer on a real socket. `aio_test::run(main(), aio_test::k_real)`.
inline constexpr options k_real{.clock = aio::real_clock};

/// Open file descriptors of this process (/proc/self/fd).
std::size_t open_fd_count();

/// What the loop's exception handler received during the last `run`.
std::vector<aio::exception_context>& reports();
/// The messages of `reports()`, for EXPECT_THAT-style checks.
std::vector<std::string> report_messages();
/// One report as a failure message shows it: the message, the task's name and the exception's what().
std::string describe(const aio::exception_context& report);

namespace detail {
aio::event_loop* begin(const options& opts);
void finish(aio::event_loop* loop, const aio::task_handle& main, const options& opts);
}  // namespace detail

/// Runs `main` to completion and checks for leaks and for reports to the exception handler beyond
/// `opts.expected_reports`; returns its result or rethrows its failure.
template <class T>
T run(aio::coro<T> main, options opts = {}) {
  aio::event_loop* loop = detail::begin(opts);
  aio::task<T> t = loop->create_task(std::move(main), "main");
  detail::finish(loop, t, opts);
  return aio::detail::take_result<T, true>(*t.promise_ptr());
}

/// Awaits `awaitable` (a task, a future, a coroutine, `aio::sleep(...)`) and tells whether it ended in
/// `aio::cancelled_error`. Its value is dropped; any other exception propagates. Name the result before
/// testing it (a `co_await` inside a condition trips GCC PR106188, docs/design/compilers.md):
///
///     t.cancel();
///     const bool cancelled = co_await aio_test::was_cancelled(t);
///     EXPECT_TRUE(cancelled);
template <class Awaitable>
aio::coro<bool> was_cancelled(Awaitable awaitable) {
  try {
    (void)co_await awaitable;
  } catch (const aio::cancelled_error&) {
    co_return true;
  }
  co_return false;
}

/// Loop time elapsed, in seconds as a double (virtual time makes these exact).
double seconds_since(aio::clock::time_point start);

}  // namespace aio_test
