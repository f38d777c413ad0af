#pragma once
/// @file run.hpp
/// `aio::run(main)`: asyncio.run — a new loop, the main task, then an orderly shutdown.

#include <optional>
#include <string>
#include <utility>

#include "aio/runtime/event_loop.hpp"
#include "aio/runtime/keyboard_interrupt.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/task.hpp"
#include "aio/time/clock.hpp"

namespace aio {

/// Options of `aio::run` (aggregate: use designated initialisers).
struct run_options {
  bool debug = false;                              ///< also on when AIO_DEBUG=1 is in the environment
  backend_kind backend = backend_kind::automatic;  ///< I/O backend
  clock_mode clock = clock_mode::real;             ///< `aio::virtual_clock` for autojumping test time
  bool handle_sigint = true;  ///< on the main thread, SIGINT cancels main; a second one ends at once
  /// After Ctrl+C and main's clean-up, throw `aio::keyboard_interrupt` instead of ending the process
  /// killed by SIGINT (Python: catching KeyboardInterrupt around asyncio.run).
  bool raise_keyboard_interrupt = false;
  /// Start a stall detector (include/aio/debug/stall_detector.hpp) that reports when the loop does not
  /// come back for this long; zero: none. Unset: `AIO_STALL_MS` from the environment, else on in debug
  /// mode with the loop's `slow_callback_duration` (100 ms), else off.
  std::optional<clock::duration> stall_threshold = std::nullopt;
  /// Record a trace timeline of the run into this file (Chrome trace-event JSON that Perfetto opens;
  /// include/aio/debug/trace.hpp); empty: none. Unset: `AIO_TRACE` from the environment, else none.
  std::optional<std::string> trace_path = std::nullopt;
  /// Serve the live dashboard (tasks with their await edges, loop lag, tasks/s, the slowest routes)
  /// at "host:port" while main runs, e.g. "127.0.0.1:8089" (":8089" or "8089": loopback; port 0 picks
  /// one; the URL is printed on stderr). Empty: `AIO_DASHBOARD` from the environment, else none. Needs
  /// aio::http (include <aio/http.hpp>); see include/aio/http/server/dashboard.hpp.
  std::string dashboard = {};
};

namespace detail {
/// Observes the loop between main's end and the loop's close (the tests' leak checks).
struct run_hooks {
  void (*after_main)(event_loop&, void*) = nullptr;    ///< main is done; leftovers not yet cancelled
  void (*before_close)(event_loop&, void*) = nullptr;  ///< leftovers are finished; the loop still open
  void* context = nullptr;
};
/// The non-template part of `run`: SIGINT, driving main, cancelling leftovers, closing the loop.
/// Returns true when Ctrl+C ended the run (main ended cancelled by it, or a second one cut the
/// clean-up short): the caller then calls `end_interrupted`.
bool run_main(event_loop& loop, const task_handle& main, const run_options& opts,
              const run_hooks& hooks = {});
/// Ends an interrupted run: throws `keyboard_interrupt` when asked to, else flushes the standard
/// streams and kills the process with SIGINT under its default disposition.
[[noreturn]] void end_interrupted(const run_options& opts);
/// Throws if a loop is already running on this thread; applies AIO_DEBUG.
loop_options prepare_run(const run_options& opts);
}  // namespace detail

/// Runs `main` on a new event loop and returns its result (or rethrows its failure).
/// After main finishes, every leftover task is cancelled and awaited, the default executor is shut
/// down and the loop is closed.
/// @par Errors
/// `std::runtime_error` when called while a loop is running on this thread.
/// @par Cancellation
/// Ctrl+C (SIGINT on the main thread, when its disposition is the default and the program installed no
/// SIGINT handler of its own on the loop) cancels main, as `asyncio.run` does: main's clean-up runs,
/// the leftover tasks are cancelled and awaited, the loop is closed, and then the process ends killed
/// by SIGINT (the shell sees status 130) after flushing the standard streams; with
/// `run_options{.raise_keyboard_interrupt = true}` `run` throws `aio::keyboard_interrupt` instead.
/// If main swallows the cancellation and returns, `run` returns normally. A second Ctrl+C ends at once
/// (without the option: killed by SIGINT even if the clean-up blocks the loop; with it: the clean-up
/// is abandoned, the loop closed and `keyboard_interrupt` thrown).
template <class T>
T run(coro<T> main, const run_options& opts = {}) {
  event_loop loop(detail::prepare_run(opts));
  task<T> t = loop.create_task(std::move(main), "main");
  if (detail::run_main(loop, t, opts)) detail::end_interrupted(opts);
  return detail::take_result<T, true>(*t.promise_ptr());
}

}  // namespace aio
