#pragma once
/// @file wait_operation.hpp
/// The awaiter of `aio::wait` (CPython 3.13's `_wait`): one wait node per task, registered when the
/// caller suspends, and a timer; whichever comes first wakes the caller. Nothing is ever cancelled.

#include <coroutine>
#include <cstddef>
#include <memory>
#include <string>

#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/time/clock.hpp"

namespace aio {

enum class return_when : unsigned char;  // defined in wait.hpp

namespace detail {

class wait_core;

struct wait_child : wait_node {
  wait_core* m_core = nullptr;
  task_header* m_task = nullptr;  ///< not counted: the operation's handles keep the tasks alive
  bool m_linked = false;
};

/// Untyped part of `wait` (src/combinators/wait.cpp).
class wait_core : public suspension, public timer_node {
 public:
  /// Makes room for `n` tasks; the caller then sets each `child(i).m_task`.
  wait_core(std::size_t n, return_when when, bool timed, clock::duration timeout);
  wait_core(const wait_core&) = delete;
  wait_core& operator=(const wait_core&) = delete;
  ~wait_core();

  [[nodiscard]] wait_child& child(std::size_t i) noexcept { return m_children[i]; }
  bool suspend(std::coroutine_handle<> h);
  /// Delivers a pending cancel (after every node and the timer are withdrawn).
  void resume();
  /// The task waiting through `n` if `n` is a node of this kind, else nullptr (await graphs:
  /// include/aio/debug/call_graph.hpp).
  static task_header* awaiting_task(const wait_node* n) noexcept;

 private:
  static void on_child_done(wait_node* n) noexcept;
  static void on_fire(timer_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  /// True when the completion of `t` satisfies `return_when`.
  bool satisfied_by(task_header* t) noexcept;
  void release_waiter() noexcept;
  void detach() noexcept;

  std::unique_ptr<wait_child[]> m_children;
  std::size_t m_n = 0;
  std::size_t m_pending = 0;
  task_header* m_self = nullptr;
  clock::duration m_timeout;
  return_when m_when;
  bool m_timed;
  bool m_waiting = false;
};

}  // namespace detail
}  // namespace aio
