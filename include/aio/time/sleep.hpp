#pragma once
/// @file sleep.hpp
/// `aio::sleep(d)`: suspend the task for a while (asyncio.sleep). `sleep(0s)` yields exactly once.

#include <chrono>
#include <coroutine>
#include <string>

#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/time/clock.hpp"

namespace aio {

namespace detail {
/// The awaiter of `sleep`; lives in the sleeping frame (no allocation).
class sleep_operation : public suspension, public timer_node {
 public:
  explicit sleep_operation(clock::time_point deadline, bool absolute, clock::duration delay) noexcept
      : m_deadline(deadline), m_delay(delay), m_absolute(absolute) {}
  sleep_operation(const sleep_operation&) = delete;
  sleep_operation& operator=(const sleep_operation&) = delete;
  ~sleep_operation();

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume() const { m_task->deliver_cancel(); }

 private:
  static void on_fire(timer_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg) noexcept;
  clock::time_point m_deadline;
  clock::duration m_delay;
  task_header* m_task = nullptr;
  bool m_absolute;
};
}  // namespace detail

/// Suspends the calling task for `d` (any duration; zero or negative yields once).
/// @par Cancellation
/// Cancel-safe: the timer is withdrawn and `cancelled_error` is thrown; nothing else is lost.
template <class Rep, class Period>
[[nodiscard]] detail::sleep_operation sleep(std::chrono::duration<Rep, Period> d) noexcept {
  return detail::sleep_operation(clock::time_point{}, false, detail::to_clock_duration(d));
}

/// Suspends the calling task until `when` on the loop's clock (a time in the past yields once).
/// @par Cancellation
/// Cancel-safe, as `sleep`.
[[nodiscard]] inline detail::sleep_operation sleep_until(clock::time_point when) noexcept {
  return detail::sleep_operation(when, true, clock::duration{0});
}

}  // namespace aio
