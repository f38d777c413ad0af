#pragma once
// Rarely used task state, allocated on first use so that a plain task stays small.

#include <cstdint>
#include <string>

namespace aio::detail {

struct task_extra {
  std::string name;
  std::string cancel_message;
  bool named = false;
};

class task_header;
/// The name given to `t` (create_task's argument, set_name), or "" if none: unlike `name()`, never
/// numbers an unnamed task (trace rows name those after their coroutine).
std::string given_task_name(const task_header& t);

}  // namespace aio::detail
