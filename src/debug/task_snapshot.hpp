#pragma once
// One task's place in the await graph, one level deep and with no names looked up yet: what the
// `aio ps` agent (ps_agent.cpp) copies while the loop's thread is parked, to symbolise after it has
// let the thread go. Implemented in call_graph.cpp beside the walk it shares.

#include <string>
#include <vector>

namespace aio::detail {

class task_header;

struct task_snapshot {
  task_header* task = nullptr;
  std::string name;
  /// The resume functions of its coroutines, innermost first (empty once done).
  std::vector<const void*> stack;
  struct waiter {
    task_header* task;
    const char* via;  // "await", "gather", "task_group", "shield", "wait" (static strings)
  };
  /// The tasks waiting for it directly.
  std::vector<waiter> awaited_by;
};

/// Reads `t` (on the loop's thread, or while it is parked).
task_snapshot snapshot_task(task_header* t);

}  // namespace aio::detail
