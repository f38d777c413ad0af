#pragma once
/// @file condition.hpp
/// `aio::condition`: a condition variable for tasks (asyncio.Condition).

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <type_traits>
#include <utility>

#include "aio/sync/detail/waiter.hpp"
#include "aio/sync/lock.hpp"

namespace aio {

namespace detail {
/// The awaiter of `condition::wait()` (and the base of `wait_for`'s): releases the lock, waits for a
/// notification, re-acquires the lock at its own turn (waiting for it if needed, even when cancelled),
/// then resumes. Lives in the awaiting frame.
class condition_wait_operation : public sync_waiter {
 public:
  explicit condition_wait_operation(condition& c) noexcept;
  ~condition_wait_operation();
  /// Never ready; throws `std::runtime_error` if the lock is not held.
  [[nodiscard]] bool await_ready() const;
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();

 protected:
  /// `wait_for`: the predicate, evaluated with the lock held after each wake-up (nullptr for `wait`).
  bool (*m_predicate)(condition_wait_operation*) = nullptr;
  void check_locked() const;

 private:
  enum class phase : std::uint8_t { holding, waiting, reacquiring, lock_waiting, lock_granted };
  void start_waiting() noexcept;
  static void on_notify(wait_node* n) noexcept;
  static void on_lock_grant(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg) noexcept;
  static bool recheck(sync_waiter* w) noexcept;

  condition* m_cond;
  std::exception_ptr m_error;  ///< what the predicate threw
  phase m_phase = phase::holding;
  bool m_notified = false;  ///< this wait consumed a notification (passed on if it ends cancelled)
};

/// The awaiter of `condition::wait_for(pred)`.
template <class Pred>
class condition_wait_for_operation : public condition_wait_operation {
 public:
  condition_wait_for_operation(condition& c, Pred pred)
      : condition_wait_operation(c), m_pred(std::move(pred)) {
    m_predicate = &call;
  }
  /// Ready (without checking the lock) when the predicate already holds, as asyncio.
  [[nodiscard]] bool await_ready() {
    if (std::invoke(m_pred)) return true;
    check_locked();
    return false;
  }
  void await_resume() {
    if (task() != nullptr) condition_wait_operation::await_resume();
  }

 private:
  static bool call(condition_wait_operation* op) {
    return static_cast<bool>(std::invoke(static_cast<condition_wait_for_operation*>(op)->m_pred));
  }
  Pred m_pred;
};
}  // namespace detail

/// A condition variable: tasks holding its lock wait until another task notifies them.
///
/// It has its own `aio::lock`, or works over one given to the constructor (shared between several
/// conditions). `acquire()`, `release()` and `locked()` are the lock's.
/// @par Cancellation
/// `wait()` and `wait_for()` are cancel-safe, as asyncio's: a cancelled waiter still re-acquires the lock
/// before `aio::cancelled_error` leaves `wait()` (waiting for it if another task holds it), and a
/// waiter cancelled after it was notified passes the notification to the next waiter, so none is lost.
/// @par Errors
/// `wait()`, `wait_for()` (when the predicate is false), `notify()` and `notify_all()` throw
/// `std::runtime_error` if the lock is not held. `wait_for()` rethrows what the predicate throws (the
/// lock held). Awaiting outside an aio task throws `std::runtime_error`.
/// @par Thread safety
/// A single-loop primitive: use it on the loop's thread only.
/// @par Example
/// @code
/// aio::condition cv;
/// std::deque<int> items;
/// // consumer:
/// auto held = co_await aio::scoped(cv);
/// co_await cv.wait_for([&] { return !items.empty(); });
/// // producer:
/// auto held = co_await aio::scoped(cv);
/// items.push_back(1);
/// cv.notify();
/// @endcode
class condition {
 public:
  /// A condition with its own lock.
  condition() noexcept : m_lock(&m_own_lock) {}
  /// A condition over `l`, which must outlive it.
  explicit condition(lock& l) noexcept : m_lock(&l) {}
  condition(const condition&) = delete;
  condition& operator=(const condition&) = delete;
  /// Precondition: no task waits on it.
  ~condition() = default;

  /// Acquires the underlying lock (see `lock::acquire`).
  [[nodiscard]] detail::lock_acquire_operation acquire() noexcept { return m_lock->acquire(); }
  /// Releases the underlying lock.
  /// @par Errors
  /// `std::runtime_error` if it is not locked.
  void release() { m_lock->release(); }
  /// True while the underlying lock is held.
  [[nodiscard]] bool locked() const noexcept { return m_lock->locked(); }

  /// Releases the lock, waits until notified, re-acquires the lock. May wake spuriously (as asyncio
  /// allows): re-check the state, or use `wait_for`.
  /// @par Cancellation
  /// Cancel-safe (see the class): the lock is held again when `cancelled_error` is thrown.
  [[nodiscard]] detail::condition_wait_operation wait() noexcept {
    return detail::condition_wait_operation(*this);
  }

  /// Waits until `pred()` is true: evaluates it first (no wait, and no lock check, if it holds), then
  /// after every wake-up with the lock held.
  /// @par Cancellation
  /// As `wait()`.
  template <class Pred>
  requires std::is_invocable_v<Pred&>
  [[nodiscard]] detail::condition_wait_for_operation<std::decay_t<Pred>> wait_for(Pred&& pred) {
    return detail::condition_wait_for_operation<std::decay_t<Pred>>(*this, std::forward<Pred>(pred));
  }

  /// Wakes up to `n` waiters, oldest first. They return from `wait()` once they re-acquire the lock,
  /// which the caller still holds.
  /// @par Errors
  /// `std::runtime_error` if the lock is not held.
  void notify(std::size_t n = 1);
  /// Wakes every waiter.
  /// @par Errors
  /// `std::runtime_error` if the lock is not held.
  void notify_all() { notify(std::numeric_limits<std::size_t>::max()); }

 private:
  friend class detail::condition_wait_operation;
  lock m_own_lock;
  lock* m_lock;
  detail::waiter_list m_waiters;
};

}  // namespace aio
