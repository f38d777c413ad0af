#pragma once
// What `aio ps` learns from a process: its loops and their live tasks (parsed from the agent's reply,
// src/debug/ps_protocol.hpp), and the two ways to print them.

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio_cli {

struct task_info {
  std::string id;                   // "0x55d0c5a1e2c0": the task's address in the target
  std::string name;                 // task.get_name()
  std::vector<std::string> frames;  // its coroutines, innermost first
  std::vector<std::pair<std::string, std::string>> waiters;  // (id, via) of the tasks awaiting it
};

struct loop_info {
  std::string tid;      // the thread running the loop
  std::string running;  // the id of the task that was running when the loop was asked, or empty
  std::string error;    // the loop did not answer (no tasks then)
  std::vector<task_info> tasks;
};

struct process_info {
  std::vector<loop_info> loops;
};

/// Parses the agent's reply; false (with `error` set) when it is not one.
bool parse_reply(std::string_view text, process_info& out, std::string& error);

/// `aio ps`: one row per task and task awaiting it (one row for a task nobody awaits).
void print_table(const process_info& p, std::ostream& out);
/// `aio pstree`: from each task nobody awaits down to the tasks it awaits, each with its coroutines.
void print_tree(const process_info& p, std::ostream& out);

}  // namespace aio_cli
