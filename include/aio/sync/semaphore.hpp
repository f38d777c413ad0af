#pragma once
/// @file semaphore.hpp
/// `aio::semaphore` and `aio::bounded_semaphore`: counters of permits (asyncio.Semaphore,
/// asyncio.BoundedSemaphore).

#include <coroutine>
#include <cstddef>

#include "aio/sync/detail/waiter.hpp"

namespace aio {

class semaphore;

namespace detail {
/// The awaiter of `semaphore::acquire()`; lives in the awaiting frame.
class semaphore_acquire_operation : public sync_waiter {
 public:
  explicit semaphore_acquire_operation(semaphore& s) noexcept : m_sem(&s) {}
  ~semaphore_acquire_operation();
  [[nodiscard]] bool await_ready() noexcept;
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();

 private:
  static void on_grant(wait_node* n) noexcept;
  semaphore* m_sem;
  bool m_granted = false;
};
}  // namespace detail

/// A counter of permits: `acquire()` takes one (waiting while there is none), `release()` gives one back.
///
/// FIFO-fair, as CPython 3.12+: while tasks wait, or a woken waiter has not run yet, a new `acquire()`
/// queues even if the counter is positive. A permit is reserved for a waiter when it is woken.
/// @par Cancellation
/// `acquire()` is cancel-safe: a task cancelled while waiting leaves the queue; a task cancelled after a
/// permit was reserved for it but before it ran gives the permit back and wakes the next waiter
/// (the wake-up losses fixed in CPython 3.11.1 and 3.12 cannot happen).
/// @par Errors
/// A negative initial value throws `std::invalid_argument`. Awaiting `acquire()` outside an aio task
/// throws `std::runtime_error`.
/// @par Thread safety
/// A single-loop primitive: use it on the loop's thread only.
/// @par Example
/// @code
/// aio::semaphore slots(3);           // at most three downloads at once
/// auto held = co_await aio::scoped(slots);
/// @endcode
class semaphore {
 public:
  /// A semaphore holding `value` permits (asyncio's default is 1).
  /// @par Errors
  /// `std::invalid_argument` if `value` is negative.
  explicit semaphore(std::ptrdiff_t value = 1);
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;
  /// Precondition: no task waits on it.
  ~semaphore() = default;

  /// Takes a permit, waiting for one if `locked()`.
  /// @par Cancellation
  /// Cancel-safe (see the class).
  [[nodiscard]] detail::semaphore_acquire_operation acquire() noexcept {
    return detail::semaphore_acquire_operation(*this);
  }
  /// Gives a permit back and wakes the first waiter, if any.
  /// @par Errors
  /// On a `bounded_semaphore`, `std::invalid_argument` if that would raise the value above the initial
  /// one (checked here, so that a `semaphore&` to a bounded one checks too).
  void release();
  /// True when `acquire()` would suspend: no permit left, or tasks queued before (FIFO rule).
  [[nodiscard]] bool locked() const noexcept;
  /// The permits available now (asyncio's `_value`; permits reserved for woken waiters are not counted).
  [[nodiscard]] std::ptrdiff_t value() const noexcept { return m_value; }

 protected:
  semaphore(std::ptrdiff_t value, std::ptrdiff_t bound);

 private:
  friend class detail::semaphore_acquire_operation;
  /// Reserves a permit for the first waiter and wakes it; false if nobody waits.
  bool wake_next() noexcept;
  /// Wakes as many waiters as there are permits (waiters that had to queue behind a woken one).
  void wake_while_available() noexcept {
    while (m_value > 0 && wake_next()) {
    }
  }

  detail::waiter_list m_waiters;
  std::ptrdiff_t m_value;
  std::size_t m_in_flight = 0;  ///< waiters woken with a reserved permit that have not run yet
  std::ptrdiff_t m_bound = -1;  ///< the initial value of a bounded semaphore, -1 when unbounded
};

/// A semaphore that refuses to be released above its initial value.
/// @par Cancellation
/// As `semaphore`.
/// @par Errors
/// `release()` above the initial value throws `std::invalid_argument` (asyncio's ValueError); a negative
/// initial value throws `std::invalid_argument`.
/// @par Thread safety
/// A single-loop primitive: use it on the loop's thread only.
class bounded_semaphore : public semaphore {
 public:
  /// A bounded semaphore holding (and never more than) `value` permits.
  /// @par Errors
  /// `std::invalid_argument` if `value` is negative.
  explicit bounded_semaphore(std::ptrdiff_t value = 1) : semaphore(value, value) {}
};

}  // namespace aio
