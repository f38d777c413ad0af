#pragma once
/// @file shield.hpp
/// `aio::shield`: wait for something without passing a cancellation on to it (asyncio.shield).

#include <coroutine>
#include <string>
#include <utility>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/detail/task_header.hpp"

namespace aio {

namespace detail {

/// The untyped part of a shield's awaiter (src/combinators/shield.cpp): a wait node on the inner task
/// and a cancel hook that withdraws it without touching the inner task.
class shield_core : public suspension, public wait_node {
 public:
  explicit shield_core(spawned inner) noexcept : m_inner(inner.task), m_borrowed(inner.borrowed) {}
  /// Only before it is awaited.
  shield_core(shield_core&& o) noexcept
      : m_inner(std::exchange(o.m_inner, nullptr)), m_borrowed(o.m_borrowed) {}
  shield_core& operator=(shield_core&&) = delete;
  ~shield_core();

  [[nodiscard]] bool await_ready() const noexcept { return m_inner->has(task_header::flag_done); }
  bool await_suspend(std::coroutine_handle<> h);
  /// The task waiting through `n` if `n` is a node of this kind, else nullptr (await graphs:
  /// include/aio/debug/call_graph.hpp).
  static task_header* awaiting_task(const wait_node* n) noexcept;

 protected:
  /// Call first in await_resume: delivers the awaiter's own cancellation.
  void after_resume() const {
    if (m_self != nullptr) m_self->deliver_cancel();
  }
  task_header* m_inner;

 private:
  static void on_wake(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  task_header* m_self = nullptr;
  bool m_borrowed;
  bool m_linked = false;
};

/// `co_await shield(aw)`: yields the inner result.
template <class Traits>
class shield_wait_operation : public shield_core {
 public:
  using shield_core::shield_core;
  typename Traits::value_type await_resume() {
    after_resume();
    return child_value<Traits>(m_inner);
  }
};

}  // namespace detail

/// Awaits `aw` but does not let a cancellation of the awaiter reach it: the awaiter still gets
/// `cancelled_error`, and the inner work runs on (asyncio.shield).
///
/// Eager: a coro becomes a task at the call (pass it as an rvalue); a task or future is used as is; any
/// other awaitable is awaited by a helper task. `void` yields `std::monostate`. Keep a handle to the
/// inner task to get its result later (the loop keeps it running either way).
/// @par Cancellation
/// Cancelling the awaiter throws `cancelled_error` at once and leaves the inner task running (its
/// failure, if any, is then marked retrieved, as asyncio does). If the inner task itself is cancelled,
/// the awaiter gets `cancelled_error`. A borrowed argument (a non-movable awaiter object, or an lvalue
/// awaiter) lives in the caller's frame, so there the awaiter's `cancelled_error` is delivered only once
/// the inner work is done.
/// @par Errors
/// The inner failure is rethrown.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// auto save = aio::create_task(write_file());
/// co_await aio::wait_for(aio::shield(save), 1s);  // gives up waiting; the save goes on
/// @endcode
template <class A>
requires detail::awaitable<A>
[[nodiscard]] detail::shield_wait_operation<detail::child_traits_t<A>> shield(A&& aw) {
  return detail::shield_wait_operation<detail::child_traits_t<A>>(detail::spawn_child(static_cast<A&&>(aw)));
}

}  // namespace aio
