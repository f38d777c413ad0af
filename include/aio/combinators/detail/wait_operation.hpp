#pragma once
/// @file wait_operation.hpp
/// The awaiter of `aio::wait` (CPython 3.13's `_wait`): follows each task while the caller is
/// suspended, and a timer; whichever satisfies `return_when` first wakes the caller. Nothing is ever
/// cancelled.
///
/// Design note: as gather (gather_operation.hpp), the core is a `group_waiter`. A task nobody else
/// waits for (the usual case) is followed by the tagged end word of its waiter list, with no node and
/// nothing per child beyond the caller's handles; a task that already has a waiter (awaited elsewhere
/// too, or given twice) gets a heap node. The core reads the tasks from the operation's handles
/// through `wait_task_at` (issue 15: a 48-byte node per child cost +72 bytes per child over awaiting
/// the tasks one by one; now +8, the handle copy).

#include <coroutine>
#include <cstddef>
#include <string>

#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/time/clock.hpp"

namespace aio {

enum class return_when : unsigned char;  // defined in wait.hpp

namespace detail {

/// Reads the task of child `i` of the operation's handles.
using wait_task_at = task_header* (*)(const void* children, std::size_t i) noexcept;

/// Untyped part of `wait` (src/combinators/wait.cpp).
class wait_core : public suspension, public timer_node, public group_waiter {
 public:
  /// Follows the `n` tasks of `children` (read with `at`; they must outlive the core).
  wait_core(const void* children, wait_task_at at, std::size_t n, return_when when, bool timed,
            clock::duration timeout) noexcept;
  wait_core(const wait_core&) = delete;
  wait_core& operator=(const wait_core&) = delete;
  ~wait_core();

  /// Throws `std::bad_alloc` only (a task that already had a waiter needs a node).
  bool suspend(std::coroutine_handle<> h);
  /// Delivers a pending cancel (after every waiter and the timer are withdrawn).
  void resume();
  /// The task waiting through `g` or `n` if it is of this kind, else nullptr (await graphs:
  /// include/aio/debug/call_graph.hpp).
  static task_header* awaiting_task(const group_waiter* g) noexcept;
  static task_header* awaiting_task(const wait_node* n) noexcept;

 private:
  /// A task that already had a waiter when the wait began: followed with a node of its own. Rare.
  struct node : wait_node {
    wait_core* m_core = nullptr;
    task_header* m_task = nullptr;
    node* m_older = nullptr;  ///< the core's list of nodes
    bool m_linked = false;
  };

  [[nodiscard]] task_header* task(std::size_t i) const noexcept { return m_task_at(m_children, i); }
  static void on_group_done(group_waiter* g, task_header* t) noexcept;
  static void on_node_done(wait_node* n) noexcept;
  static void on_fire(timer_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  void child_done(task_header* t) noexcept;
  /// True when the completion of `t` satisfies `return_when`.
  bool satisfied_by(task_header* t) noexcept;
  void release_waiter() noexcept;
  void detach() noexcept;

  const void* m_children;
  wait_task_at m_task_at;
  std::size_t m_n;
  std::size_t m_pending = 0;
  node* m_nodes = nullptr;
  task_header* m_self = nullptr;
  clock::duration m_timeout;
  return_when m_when;
  bool m_timed;
  bool m_attached = false;  ///< following the tasks (the group or nodes are registered)
  bool m_waiting = false;
};

}  // namespace detail
}  // namespace aio
