#pragma once
/// @file to_thread.hpp
/// `aio::to_thread` and `aio::run_in_executor`: run a blocking call on another thread and await its
/// result (asyncio.to_thread, loop.run_in_executor).

#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "aio/detail/gcc12_capture_check.hpp"
#include "aio/executor/detail/executor_call_operation.hpp"
#include "aio/executor/thread_pool.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio {

/// Runs `f(args...)` on the running loop's default thread pool (`loop.default_executor()`);
/// `co_await` yields its result (decayed; `void` stays `void`) or rethrows its exception.
///
/// `f` and `args` are decay-copied at the call (pass `std::ref(x)` to pass by reference) and moved to
/// the worker when the returned awaitable is awaited (it is lazy, as asyncio.to_thread is a coroutine,
/// and may be moved until then; `run_in_executor` submits at the call). The
/// worker's writes happen-before the awaiter resumes. Under virtual time the loop's clock waits for
/// the thread instead of jumping.
/// @par Cancellation
/// Cancelling the awaiter throws `cancelled_error` at once; a call no worker has started never runs,
/// a running one cannot be stopped, so it finishes in the background and its result is dropped. The callable
/// and arguments are destroyed on the worker.
/// @par Errors
/// Whatever `f` throws; `std::runtime_error` outside an aio task or if the pool dropped the call.
/// @par Thread safety
/// Await on the loop's thread; `f` runs on a worker thread and must be safe there (never touch aio
/// tasks, futures or primitives from it: use `loop.call_soon_threadsafe`).
/// @par Example
/// @code
/// std::string text = co_await aio::to_thread(read_file, path);
/// co_await aio::to_thread(fill, std::ref(buffer));
/// @endcode
template <class F, class... Args>
requires std::invocable<std::decay_t<F> &&, std::decay_t<Args>&&...> [[nodiscard]] detail::
    executor_call_operation<std::decay_t<F>, std::decay_t<Args>...>
    to_thread(F&& f, Args&&... args) {
  static_assert(!detail::gcc12_unsafe_closure<F>(), AIO_GCC12_CAPTURE_MESSAGE);
  event_loop& loop = get_running_loop();
  return detail::executor_call_operation<std::decay_t<F>, std::decay_t<Args>...>(
      &loop, &loop.default_executor(), std::forward<F>(f),
      std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
}

namespace detail {
/// `run_in_executor` without the g++ 12 check, for aio's own callers that pass a named closure by move.
template <class F, class... Args>
executor_call_future<call_result_t<std::decay_t<F>, std::decay_t<Args>...>> submit_call(event_loop& loop,
                                                                                        executor& ex, F&& f,
                                                                                        Args&&... args) {
  loop_access::check_thread(loop, "run_in_executor");
  return executor_call_future<call_result_t<std::decay_t<F>, std::decay_t<Args>...>>(
      &loop, &ex, std::decay_t<F>(std::forward<F>(f)),
      std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
}
}  // namespace detail

/// Submits `f(args...)` to `ex` at once and returns an awaitable for its outcome on `loop` (asyncio's
/// `loop.run_in_executor(executor, func, *args)`, which returns a future already running): calls made
/// one after another run concurrently, each awaited when its result is needed. `f` and `args` are
/// decay-copied; otherwise as `to_thread`. Await the result once, on `loop`'s thread; it may be moved
/// until then, or dropped (the call still runs and its outcome is discarded).
/// @par Cancellation
/// Cancelling the awaiter throws `cancelled_error` at once and cancels the call: if no worker has
/// started it, it never runs; if it is running, it finishes in the background and its result is dropped.
/// @par Errors
/// As `to_thread`; if `ex` is shut down before running the call, `std::runtime_error`.
/// @par Thread safety
/// Call and await on `loop`'s thread. Precondition: `loop` outlives every call submitted to `ex` (shut
/// `ex` down, or let the calls finish, before destroying the loop); the default executor is shut down
/// by `close()`.
/// @par Example
/// @code
/// auto a = loop.run_in_executor(pool, checksum, part1);  // both run now
/// auto b = loop.run_in_executor(pool, checksum, part2);
/// auto sum = co_await std::move(a) + co_await std::move(b);
/// @endcode
template <class F, class... Args>
requires std::invocable<std::decay_t<F> &&, std::decay_t<Args>&&...>
    detail::executor_call_future<detail::call_result_t<std::decay_t<F>, std::decay_t<Args>...>>
    run_in_executor(event_loop& loop, executor& ex, F&& f, Args&&... args) {
  // No g++ 12 capture check: the future is usually awaited later (docs/design/compilers.md, Bug 1).
  return detail::submit_call(loop, ex, std::forward<F>(f), std::forward<Args>(args)...);
}

template <class F, class... Args>
auto event_loop::run_in_executor(executor& ex, F&& f, Args&&... args) {
  return aio::run_in_executor(*this, ex, std::forward<F>(f), std::forward<Args>(args)...);
}

}  // namespace aio
