#pragma once
/// @file lock.hpp
/// `aio::lock`: a mutual exclusion lock for tasks (asyncio.Lock).

#include <coroutine>

#include "aio/sync/detail/waiter.hpp"

namespace aio {

class lock;
class condition;

namespace detail {
class condition_wait_operation;

/// The awaiter of `lock::acquire()`; lives in the awaiting frame.
class lock_acquire_operation : public sync_waiter {
 public:
  explicit lock_acquire_operation(lock& l) noexcept : m_lock(&l) {}
  ~lock_acquire_operation();
  [[nodiscard]] bool await_ready() noexcept;
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();

 private:
  static void on_grant(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg) noexcept;
  lock* m_lock;
  bool m_granted = false;
};
}  // namespace detail

/// A lock that one task at a time may hold; not reentrant, not owned (any task may release it).
///
/// Acquisition is FIFO-fair, as CPython 3.13: once a task waits, a later `acquire()` never jumps the
/// queue, even while the lock is free and the woken waiter has not run yet.
/// @par Cancellation
/// `acquire()` is cancel-safe: a task cancelled while waiting leaves the queue and loses nothing; a task
/// cancelled after the lock was granted to it but before it ran passes the grant to the next waiter
/// and throws `aio::cancelled_error`, so no wake-up is lost.
/// @par Errors
/// `release()` of an unlocked lock throws `std::runtime_error`. Awaiting `acquire()` outside an aio task
/// throws `std::runtime_error`.
/// @par Thread safety
/// A single-loop primitive: use it on the loop's thread only.
/// @par Example
/// @code
/// aio::lock lk;
/// co_await lk.acquire();
/// // ... critical section ...
/// lk.release();
/// // or, released by the guard's destructor:
/// auto held = co_await aio::scoped(lk);
/// @endcode
class lock {
 public:
  lock() noexcept = default;
  lock(const lock&) = delete;
  lock& operator=(const lock&) = delete;
  /// Precondition: no task waits on it.
  ~lock() = default;

  /// Waits until the lock is free, then takes it. Completes without suspending when the lock is free
  /// and nobody waits.
  /// @par Cancellation
  /// Cancel-safe (see the class).
  [[nodiscard]] detail::lock_acquire_operation acquire() noexcept {
    return detail::lock_acquire_operation(*this);
  }

  /// Releases the lock; the first waiter (if any) is woken and will hold it.
  /// @par Errors
  /// `std::runtime_error` if the lock is not locked.
  void release();

  /// True while some task holds the lock. A lock just released to a waiter that has not run yet is
  /// not `locked()`, yet a new `acquire()` still queues behind that waiter (fairness).
  [[nodiscard]] bool locked() const noexcept { return m_locked; }

 private:
  friend class detail::lock_acquire_operation;
  friend class detail::condition_wait_operation;
  friend class condition;

  /// Takes the lock if it is free, nobody waits and no grant is in flight.
  bool try_acquire() noexcept;
  /// `release()` by a waiter that knows it holds the lock.
  void release_held() noexcept {
    m_locked = false;
    wake_first();
  }
  /// Hands the lock to the first waiter (it takes it when it runs), if the lock is free.
  void wake_first() noexcept;
  /// A granted waiter takes the lock / gives its grant back (it was cancelled before it ran).
  void take_grant() noexcept {
    m_granted = false;
    m_locked = true;
  }
  void return_grant() noexcept {
    m_granted = false;
    wake_first();
  }

  detail::waiter_list m_waiters;
  bool m_locked = false;
  bool m_granted = false;  ///< the first waiter was woken to take the lock and has not run yet
};

}  // namespace aio
