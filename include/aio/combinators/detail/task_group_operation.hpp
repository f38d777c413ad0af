#pragma once
/// @file task_group_operation.hpp
/// The machinery of `aio::task_group` (src/combinators/task_group.cpp).
///
/// Design note (CPython 3.13's taskgroups.py, with the later fixes gh-128550, gh-155418, gh-155433):
/// - Each child carries a `task_group_child`: a done callback (wait node + ready-queue item) that the
///   loop runs one turn after the child finishes, as asyncio's `_on_task_done`. It holds a reference
///   to the child and is also linked in the group's list, so the group can cancel its children.
///   One small allocation per child; it is freed by the loop after it ran (or when the loop closes).
/// - The group lives in `run`'s frame. The group and a child's node may die in either order when the
///   loop closes: each unlinks itself from the other.
/// - The exit waits in `task_group_join_operation`, which behaves like a primitive: a cancel withdraws
///   the wait and is thrown at resume, and `run` loops (asyncio's `while self._tasks`).

#include <coroutine>
#include <string>

#include "aio/detail/task_header.hpp"
#include "aio/task/basic_handle.hpp"

namespace aio {
class task_group;
}

namespace aio::detail {

/// One child of a task group: the loop runs `invoke()` one turn after the child finishes.
class task_group_child final : public done_callback_base {
 public:
  task_group_child(task_group* group, task_header* task) noexcept;
  task_group_child(const task_group_child&) = delete;
  task_group_child& operator=(const task_group_child&) = delete;
  ~task_group_child() override;
  void invoke() override;
  /// The group's parent task if `n` is a task group's child node, else nullptr (await graphs:
  /// include/aio/debug/call_graph.hpp).
  static task_header* awaiting_task(wait_node* n) noexcept;

  task_group* m_group;
  task_header* m_task;  ///< counted reference
  task_group_child* m_prev_child = nullptr;
  task_group_child* m_next_child = nullptr;
};

/// `co_await` in the group's exit: parks the parent until the group has no child left.
class task_group_join_operation : public suspension {
 public:
  explicit task_group_join_operation(task_group& g) noexcept : m_group(&g) {}
  task_group_join_operation(const task_group_join_operation&) = delete;
  task_group_join_operation& operator=(const task_group_join_operation&) = delete;
  ~task_group_join_operation();

  [[nodiscard]] bool await_ready() const noexcept;
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume() const;

  /// Called by the group when its last child is done.
  void wake() noexcept;

 private:
  static bool on_cancel(suspension* s, const std::string& msg);
  task_group* m_group;
  task_header* m_self = nullptr;
  bool m_parked = false;
};

}  // namespace aio::detail
