#pragma once
/// @file call_graph.hpp
/// Await graphs (asyncio 3.14's `capture_call_graph`): where a task is suspended and who waits for it.
///
/// Nothing is recorded while nobody asks: the coroutines of a task are already chained (each frame
/// knows the coroutine that awaits it, and a suspended task knows its innermost coroutine), and each
/// frame starts with the address of its resume function, which names the coroutine. A task's waiters
/// (`co_await task`, `gather`, `task_group`, `shield`, `wait`, `wait_for`/`timeout` on a task) are
/// already linked on it. See docs/design/debugging.md.

#include <coroutine>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "aio/task/task_handle.hpp"

namespace aio {

/// One coroutine of a task's call stack.
struct call_stack_entry {
  /// The coroutine's function, demangled (`my_app::fetch_page(std::string)`); `"?"` when the binary
  /// has no symbol for it (stripped).
  std::string function;
  /// Source file and line, where known (empty and 0 when the program carries no line table, or when
  /// it was not looked up).
  std::string file;
  unsigned line = 0;
  /// The coroutine's resume function (what `function` names).
  const void* address = nullptr;
};

/// A task, the coroutines it is suspended in, and the tasks waiting for it (asyncio's
/// `FutureCallGraph`).
struct call_graph {
  /// The task (empty when there was none: `capture_call_graph()` outside any task).
  task_handle task;
  /// Its name (`task.get_name()`), captured with the graph.
  std::string name;
  /// Its coroutines, innermost first; empty once the task is done. For the task that is running, the
  /// stack starts at the coroutine the loop resumed it in (coroutines it started since are running
  /// on the native stack): `co_await aio::current_call_graph()` gives the exact stack from the
  /// awaiting coroutine.
  std::vector<call_stack_entry> call_stack;
  /// How the waiter of the enclosing graph waits for this task's child: "await", "gather",
  /// "task_group", "shield" or "wait" (empty at the root).
  std::string via;
  /// The tasks waiting for this one, each with its own graph (a tree; a task met twice on one path, a
  /// cycle of awaits, is listed without its waiters the second time).
  std::vector<call_graph> awaited_by;

  explicit operator bool() const noexcept { return static_cast<bool>(task); }
};

/// The await graph of `t` (default: the running task). Call on the loop's thread.
[[nodiscard]] call_graph capture_call_graph(const task_handle& t = current_task());

/// Renders a graph as asyncio's `format_call_graph` does:
/// @code
/// * Task(name='worker', id=0x5581f2a0e2c0)
/// + Call stack:
/// |   in async leaf(int)
/// |   in async middle()
/// + Awaited by:
///    * Task(name='main', id=0x5581f2a0d1a0) via gather
///       + Call stack:
///       |   in async main_coro()
/// @endcode
/// `limit`, as asyncio's: keep at most `limit` entries of each call stack, the innermost when positive,
/// the outermost when negative; 0 prints no call stack, only who waits; `k_no_limit` keeps them all.
inline constexpr int k_no_limit = INT32_MIN;
[[nodiscard]] std::string format_call_graph(const call_graph& g, int limit = k_no_limit);
[[nodiscard]] std::string format_call_graph(const task_handle& t = current_task(), int limit = k_no_limit);
/// Writes `format_call_graph(t)` to `out` (default: stdout).
void print_call_graph(const task_handle& t = current_task());
void print_call_graph(const task_handle& t, std::ostream& out, int limit = k_no_limit);

namespace detail {
/// The awaiter of `current_call_graph()`: never suspends; reads the stack from the awaiting coroutine.
struct current_call_graph_awaiter {
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  call_graph await_resume() noexcept { return std::move(m_graph); }
  call_graph m_graph;
};
}  // namespace detail

/// `co_await aio::current_call_graph()`: the running task's graph with its exact call stack, starting
/// at the awaiting coroutine. It does not suspend (no cancellation point).
[[nodiscard]] inline detail::current_call_graph_awaiter current_call_graph() noexcept { return {}; }

}  // namespace aio
