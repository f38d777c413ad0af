#pragma once
/// @file join_operation.hpp
/// The awaiter behind `co_await task/future/task_handle`: waits for another frame to finish.

#include <coroutine>
#include <string>

#include "aio/detail/task_header.hpp"

namespace aio::detail {

/// Untyped core: registers a wait node on the target, forwards cancellation to it (asyncio cancels the
/// awaited future), and on resume delivers a cancel request that arrived while the wake-up was queued.
class join_operation : public suspension, public wait_node {
 public:
  /// Holds a reference to the target for as long as the wait lasts.
  explicit join_operation(task_header* target) noexcept : m_target(target) { m_target->add_ref(); }
  join_operation(const join_operation&) = delete;
  join_operation& operator=(const join_operation&) = delete;
  ~join_operation();

  [[nodiscard]] bool await_ready() const noexcept { return m_target->has(task_header::flag_done); }
  bool await_suspend(std::coroutine_handle<> h);
  /// The task waiting through `n` if `n` is a node of this kind, else nullptr (await graphs:
  /// include/aio/debug/call_graph.hpp).
  static task_header* awaiting_task(const wait_node* n) noexcept;

 protected:
  /// Call first in await_resume.
  void after_resume() const {
    if (m_self != nullptr) m_self->deliver_cancel();
  }
  task_header* m_target;

 private:
  static void on_wake(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  task_header* m_self = nullptr;
  bool m_linked = false;
};

}  // namespace aio::detail
