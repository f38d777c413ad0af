#pragma once
/// @file barrier.hpp
/// `aio::barrier`: a rendezvous of a fixed number of tasks (asyncio.Barrier).

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "aio/sync/detail/waiter.hpp"

namespace aio {

class barrier;

namespace detail {
/// The awaiter of `barrier::wait()`; lives in the awaiting frame.
class barrier_wait_operation : public sync_waiter {
 public:
  explicit barrier_wait_operation(barrier& b) noexcept : m_barrier(&b) {}
  /// Ready when the barrier is broken (throws on resume) or this arrival is the last one.
  [[nodiscard]] bool await_ready() noexcept;
  bool await_suspend(std::coroutine_handle<> h);
  std::size_t await_resume();

 private:
  enum class phase : std::uint8_t {
    none,     ///< never parked
    broken,   ///< the barrier was broken when this task looked: throw
    tripped,  ///< this arrival filled the barrier: return the index
    blocked,  ///< parked until the barrier stops draining or resetting, not counted yet
    waiting,  ///< arrived (counted), parked until the barrier trips, resets or aborts
    woken,    ///< was waiting, woken: decide at its turn from the barrier's state (as asyncio)
  };
  static void on_notify(wait_node* n) noexcept;
  static bool recheck(sync_waiter* w) noexcept;
  /// Counts this task in; true if that fills the barrier.
  bool arrive() noexcept;

  barrier* m_barrier;
  std::size_t m_index = 0;
  phase m_phase = phase::none;
};
}  // namespace detail

/// Makes `parties` tasks wait for each other: each `wait()` blocks until `parties` tasks are waiting,
/// then all of them proceed. It can be reused at once; `reset()` and `abort()` break the current round.
///
/// The states and transitions are asyncio's (filling, draining, resetting, broken): tasks that arrive
/// while the previous round is still draining wait for it to end before they count.
/// @par Cancellation
/// `wait()` is cancel-safe: a task cancelled before the barrier trips leaves it (it no longer counts
/// once it has run, as asyncio); a task cancelled after the barrier tripped but before it ran throws
/// `aio::cancelled_error` while the others pass. Nobody else loses a wake-up.
/// @par Errors
/// `wait()` throws `aio::broken_barrier_error` when the barrier is broken (`abort()`), or when the round
/// it waits in is reset or aborted before it passes. 0 parties throws `std::invalid_argument`.
/// Awaiting outside an aio task throws `std::runtime_error`.
/// @par Thread safety
/// A single-loop primitive: use it on the loop's thread only.
/// @par Example
/// @code
/// aio::barrier ready(3);
/// // in each of three tasks:
/// std::size_t i = co_await ready.wait();   // 0, 1 or 2: the order of arrival
/// @endcode
class barrier {
 public:
  /// A barrier for `parties` tasks.
  /// @par Errors
  /// `std::invalid_argument` if `parties` < 1.
  explicit barrier(std::ptrdiff_t parties);
  barrier(const barrier&) = delete;
  barrier& operator=(const barrier&) = delete;
  /// Precondition: no task waits on it.
  ~barrier() = default;

  /// Waits until `parties()` tasks wait; returns this task's arrival index, 0 to `parties() - 1`.
  /// @par Cancellation
  /// Cancel-safe (see the class).
  /// @par Errors
  /// `aio::broken_barrier_error` (see the class).
  [[nodiscard]] detail::barrier_wait_operation wait() noexcept {
    return detail::barrier_wait_operation(*this);
  }

  /// Returns the barrier to its empty state; tasks waiting in the current round get
  /// `aio::broken_barrier_error`. Synchronous (asyncio's is a coroutine that never suspends).
  void reset() noexcept;
  /// Breaks the barrier: waiting tasks, and every later `wait()` until `reset()`, get
  /// `aio::broken_barrier_error`. Synchronous.
  void abort() noexcept;

  /// The number of tasks needed to trip the barrier.
  [[nodiscard]] std::size_t parties() const noexcept { return m_parties; }
  /// How many tasks wait in the round being filled (0 while draining, resetting or broken).
  [[nodiscard]] std::size_t n_waiting() const noexcept { return m_state == state::filling ? m_count : 0; }
  /// True after `abort()` (until `reset()`).
  [[nodiscard]] bool broken() const noexcept { return m_state == state::broken; }

 private:
  friend class detail::barrier_wait_operation;
  enum class state : std::uint8_t { filling, draining, resetting, broken };
  /// A task leaves: the last one out of a drained or reset round reopens the barrier.
  void leave() noexcept;

  detail::waiter_list m_waiters;  ///< blocked and waiting tasks, in the order they parked
  std::size_t m_parties;
  std::size_t m_count = 0;  ///< tasks inside the barrier: arrived and not yet out of `wait()`
  state m_state = state::filling;
};

}  // namespace aio
