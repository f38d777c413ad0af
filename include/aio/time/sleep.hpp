#pragma once
/// @file sleep.hpp
/// `aio::sleep(d)`: suspend the task for a while (asyncio.sleep). `sleep(0s)` yields exactly once.

#include <chrono>
#include <coroutine>

#include "aio/detail/task_header.hpp"
#include "aio/time/clock.hpp"

namespace aio {

namespace detail {
/// Parks the current task until `ticks` (a delay, or a deadline when `absolute`); false if a pending
/// cancel must be delivered at once.
bool suspend_sleeping(std::coroutine_handle<> h, clock::rep ticks, bool absolute);
/// Delivers a cancel that arrived while the task slept (or waited to run).
void resume_sleeping();

/// The awaiter of `sleep`: one number in the frame. The sleeping task is itself the timer entry (its
/// header keeps the heap slot), because a task sleeps on one thing at a time.
template <bool Absolute>
class sleep_operation {
 public:
  explicit sleep_operation(clock::rep ticks) noexcept : m_ticks(ticks) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) const { return suspend_sleeping(h, m_ticks, Absolute); }
  void await_resume() const { resume_sleeping(); }

 private:
  clock::rep m_ticks;
};
}  // namespace detail

/// Suspends the calling task for `d` (any duration, floating point too; zero or negative yields once).
/// @par Cancellation
/// Cancel-safe: the timer is withdrawn and `cancelled_error` is thrown; nothing else is lost.
/// @par Errors
/// `std::runtime_error` when awaited outside an aio task.
template <class Rep, class Period>
[[nodiscard]] detail::sleep_operation<false> sleep(std::chrono::duration<Rep, Period> d) noexcept {
  return detail::sleep_operation<false>(detail::to_clock_duration(d).count());
}

/// Suspends the calling task until `when` on the loop's clock (a time in the past yields once).
/// @par Cancellation
/// Cancel-safe, as `sleep`.
[[nodiscard]] inline detail::sleep_operation<true> sleep_until(clock::time_point when) noexcept {
  return detail::sleep_operation<true>(when.time_since_epoch().count());
}

}  // namespace aio
