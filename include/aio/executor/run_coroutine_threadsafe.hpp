#pragma once
/// @file run_coroutine_threadsafe.hpp
/// `aio::run_coroutine_threadsafe`: submit a coroutine to a loop from another thread and get a
/// `std::future` of its result (asyncio.run_coroutine_threadsafe).

#include <exception>
#include <future>
#include <type_traits>
#include <utility>

#include "aio/detail/result_slot.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/task.hpp"

namespace aio {

namespace detail {
/// Completes the `std::promise` from the finished task (on the loop thread). The task is private to
/// `run_coroutine_threadsafe`, so its outcome is handed over: the value is moved out, and the failure
/// is taken out of the frame, leaving the `std::future` its only owner (the exception is then
/// destroyed by whichever side drops the shared state last, never behind the reader's back).
template <class T>
void fulfil(std::promise<T>& p, const task<T>& t) noexcept {
  auto& frame = *t.promise_ptr();
  try {
    if (frame.has(task_header::flag_error)) {
      std::exception_ptr e = frame.error();  // the failure, or cancelled_error
      frame.set(task_header::flag_retrieved);
      frame.m_slot.destroy(frame);
      p.set_exception(std::move(e));
    } else if constexpr (std::is_void_v<T>) {
      p.set_value();
    } else {
      p.set_value(take_result<T, true>(frame));
    }
  } catch (...) {  // the value's move constructor threw
    p.set_exception(std::current_exception());
  }
}
}  // namespace detail

/// Schedules `c` as a task on `loop` (through `call_soon_threadsafe`) and returns a `std::future`
/// that receives its result, its exception, or `aio::cancelled_error` if the task is cancelled.
///
/// If the loop closes before the coro has run to its end (also: it was already closed), the future
/// reports `std::future_errc::broken_promise` and the coro is destroyed.
/// @par Cancellation
/// The task can be cancelled from the loop's side (e.g. by `aio::run`'s shutdown); a `std::future`
/// cannot cancel it.
/// @par Errors
/// Never throws for a closed loop (see above); `std::bad_alloc` only.
/// @par Thread safety
/// Safe from any thread; that is its purpose. Calling `get()` on the loop's own thread deadlocks.
/// The coro's frame may be destroyed on the calling thread when the loop is closed.
/// @par Example
/// @code
/// std::future<int> f = aio::run_coroutine_threadsafe(compute(), loop);  // from a worker thread
/// int v = f.get();
/// @endcode
template <class T>
[[nodiscard]] std::future<T> run_coroutine_threadsafe(coro<T> c, event_loop& loop) {
  std::promise<T> p;
  std::future<T> out = p.get_future();
  try {
    loop.call_soon_threadsafe([&loop, c = std::move(c), p = std::move(p)]() mutable {
      task<T> t;
      try {
        t = loop.create_task(std::move(c));
      } catch (...) {
        p.set_exception(std::current_exception());  // an empty coro
        return;
      }
      t.add_done_callback([p = std::move(p)](const task<T>& done) mutable { detail::fulfil(p, done); });
    });
  } catch (const std::runtime_error&) {  // NOLINT(bugprone-empty-catch): closed loop: broken_promise
  }
  return out;
}

}  // namespace aio
