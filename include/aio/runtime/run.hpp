#pragma once
/// @file run.hpp
/// `aio::run(main)`: asyncio.run — a new loop, the main task, then an orderly shutdown.

#include <utility>

#include "aio/runtime/event_loop.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/task.hpp"
#include "aio/time/clock.hpp"

namespace aio {

/// Options of `aio::run` (aggregate: use designated initialisers).
struct run_options {
  bool debug = false;                              ///< also on when AIO_DEBUG=1 is in the environment
  backend_kind backend = backend_kind::automatic;  ///< I/O backend
  clock_mode clock = clock_mode::real;             ///< `aio::virtual_clock` for autojumping test time
  bool handle_sigint = true;  ///< on the main thread, SIGINT cancels main; a second one kills at once
};

namespace detail {
/// Observes the loop between main's end and the loop's close (the tests' leak checks).
struct run_hooks {
  void (*after_main)(event_loop&, void*) = nullptr;    ///< main is done; leftovers not yet cancelled
  void (*before_close)(event_loop&, void*) = nullptr;  ///< leftovers are finished; the loop still open
  void* context = nullptr;
};
/// The non-template part of `run`: SIGINT, driving main, cancelling leftovers, closing the loop.
void run_main(event_loop& loop, const task_handle& main, const run_options& opts,
              const run_hooks& hooks = {});
/// Throws if a loop is already running on this thread; applies AIO_DEBUG.
loop_options prepare_run(const run_options& opts);
}  // namespace detail

/// Runs `main` on a new event loop and returns its result (or rethrows its failure).
/// After main finishes, every leftover task is cancelled and awaited, the default executor is shut
/// down and the loop is closed.
/// @par Errors
/// `std::runtime_error` when called while a loop is running on this thread.
/// @par Cancellation
/// SIGINT (on the main thread) cancels main; `run` then rethrows main's `cancelled_error`.
template <class T>
T run(coro<T> main, run_options opts = {}) {
  event_loop loop(detail::prepare_run(opts));
  task<T> t = loop.create_task(std::move(main), "main");
  detail::run_main(loop, t, opts);
  return detail::take_result<T, true>(*t.promise_ptr());
}

}  // namespace aio
