#pragma once
/// @file event.hpp
/// `aio::event`: a flag tasks can wait for (asyncio.Event).

#include <coroutine>

#include "aio/sync/detail/waiter.hpp"

namespace aio {

class event;

namespace detail {
/// The awaiter of `event::wait()`; lives in the awaiting frame.
class event_wait_operation : public sync_waiter {
 public:
  explicit event_wait_operation(event& e) noexcept : m_event(&e) {}
  [[nodiscard]] bool await_ready() const noexcept;
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();

 private:
  static void on_set(wait_node* n) noexcept;
  event* m_event;
};
}  // namespace detail

/// A flag, initially false: `set()` wakes every waiter, `clear()` resets it.
///
/// A waiter woken by `set()` returns even if `clear()` ran before it was scheduled (as asyncio).
/// @par Cancellation
/// `wait()` is cancel-safe: a cancelled waiter leaves the list; since `set()` wakes everyone, there is
/// nothing it could take from another task.
/// @par Errors
/// Awaiting `wait()` outside an aio task throws `std::runtime_error`.
/// @par Thread safety
/// A single-loop primitive: use it on the loop's thread only (from another thread, go through
/// `loop.call_soon_threadsafe([&] { ev.set(); })`).
/// @par Example
/// @code
/// aio::event ready;
/// // consumer:  co_await ready.wait();
/// // producer:  ready.set();
/// @endcode
class event {
 public:
  event() noexcept = default;
  event(const event&) = delete;
  event& operator=(const event&) = delete;
  /// Precondition: no task waits on it.
  ~event() = default;

  /// Waits until the flag is set; completes without suspending if it already is.
  /// @par Cancellation
  /// Cancel-safe (see the class).
  [[nodiscard]] detail::event_wait_operation wait() noexcept { return detail::event_wait_operation(*this); }
  /// Sets the flag and wakes every waiter, in the order they started waiting.
  void set() noexcept;
  /// Resets the flag; later `wait()`s suspend until the next `set()`.
  void clear() noexcept { m_value = false; }
  /// True when the flag is set.
  [[nodiscard]] bool is_set() const noexcept { return m_value; }

 private:
  friend class detail::event_wait_operation;
  detail::waiter_list m_waiters;
  bool m_value = false;
};

}  // namespace aio
