#pragma once
/// @file timeout_operation.hpp
/// The awaiter of `wait_for`, `timeout` and `timeout_at`: the inner awaitable runs inline, in the
/// caller's task, under a deadline (CPython 3.12+'s `asyncio.timeout`).
///
/// Design note:
/// - `timeout_scope` is asyncio's `Timeout`: on entry it records `cancelling()` and arms a timer; the
///   timer cancels the task (state `expiring`). On exit it disarms the timer and, if it expired, calls
///   `uncancel()`; only if that brings the count back to what it was on entry, and the inner work ended
///   with `cancelled_error`, is the error turned into `timeout_error`. An outer cancel that raced with
///   the deadline keeps its `cancelled_error` (gh-102780). A cancellation the inner work swallowed
///   leaves its result intact.
/// - The inner awaiter is held in place (join awaiters cannot move): the operation can be moved only
///   before it is awaited.
/// - The timer node lives in the operation, in the awaiting frame: no allocation.

#include <chrono>
#include <coroutine>
#include <type_traits>
#include <utility>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/errors.hpp"
#include "aio/time/clock.hpp"

namespace aio::detail {

/// A deadline, relative (resolved when the operation is awaited) or absolute.
struct deadline {
  clock::duration delay{0};
  clock::time_point when{};
  bool absolute = false;
};

/// asyncio's `Timeout` state machine for one scope; see the file comment.
class timeout_scope : public timer_node {
 public:
  timeout_scope() noexcept { m_fire = &on_fire; }
  timeout_scope(const timeout_scope&) = delete;
  timeout_scope& operator=(const timeout_scope&) = delete;
  ~timeout_scope();

  /// Enters the scope in the current task. Throws `std::runtime_error` outside a task.
  void enter(const deadline& d);
  /// Leaves the scope (idempotent). True when the `cancelled_error` that ends it is the timeout's own:
  /// the caller then throws `timeout_error`.
  bool exit(bool ended_by_cancel) noexcept;
  [[nodiscard]] bool entered() const noexcept { return m_state != state::created; }
  [[nodiscard]] bool expired() const noexcept {
    return m_state == state::expiring || m_state == state::expired;
  }

 private:
  enum class state : unsigned char { created, entered, expiring, expired, exited };
  static void on_fire(timer_node* n) noexcept;
  task_header* m_task = nullptr;
  int m_cancelling = 0;
  state m_state = state::created;
};

/// `co_await wait_for(aw, d)` and friends; `S` is how the awaitable is stored (a value, or a reference
/// to the caller's object).
template <class S>
class timeout_wait_operation {
 public:
  using result_type = await_result_t<S&&>;

  timeout_wait_operation(S&& aw, deadline d, bool skip) noexcept(std::is_nothrow_constructible_v<S, S&&>)
      : m_aw(static_cast<S&&>(aw)), m_deadline(d), m_skip(skip) {}
  /// Only before the operation is awaited.
  timeout_wait_operation(timeout_wait_operation&& o) noexcept(std::is_nothrow_constructible_v<S, S&&>)
      : m_aw(static_cast<S&&>(o.m_aw)), m_deadline(o.m_deadline), m_skip(o.m_skip) {}
  timeout_wait_operation& operator=(timeout_wait_operation&&) = delete;

  bool await_ready() {
    if (m_skip)
      return true;  // wait_for(coro, <= 0): never started (asyncio cancels it before its first step)
    m_awaiter.emplace(static_cast<S&&>(m_aw));
    return m_awaiter.get().await_ready();  // done already: no timer, no cancellation point
  }
  template <class P>
  decltype(auto) await_suspend(std::coroutine_handle<P> h) {
    m_scope.enter(m_deadline);
    try {
      return m_awaiter.get().await_suspend(h);
    } catch (...) {
      m_scope.exit(false);
      throw;
    }
  }
  result_type await_resume() {
    if (m_skip) throw timeout_error("aio: wait_for() timed out before the awaitable started");
    if (!m_scope.entered()) return static_cast<result_type>(m_awaiter.get().await_resume());
    try {
      if constexpr (std::is_void_v<result_type>) {
        m_awaiter.get().await_resume();
        m_scope.exit(false);
      } else {
        result_type r = m_awaiter.get().await_resume();
        m_scope.exit(false);
        return r;
      }
    } catch (const cancelled_error&) {
      if (m_scope.exit(true)) throw timeout_error();
      throw;
    } catch (...) {
      m_scope.exit(false);
      throw;
    }
  }

 private:
  S m_aw;
  deadline m_deadline;
  bool m_skip;
  awaiter_holder<S> m_awaiter;
  timeout_scope m_scope;  // last: its timer is disarmed before the inner awaiter goes
};

/// How `wait_for` & co. keep their argument: a movable rvalue by value, anything else by reference
/// (awaited in the same full-expression, or an lvalue that outlives the await).
template <class A>
using timeout_storage_t =
    std::conditional_t<!std::is_lvalue_reference_v<A> && std::is_move_constructible_v<std::remove_cvref_t<A>>,
                       std::remove_cvref_t<A>, A&&>;

template <class A>
timeout_wait_operation<timeout_storage_t<A>> make_timeout(A&& aw, deadline d, bool skip) {
  return timeout_wait_operation<timeout_storage_t<A>>(static_cast<A&&>(aw), d, skip);
}

}  // namespace aio::detail
