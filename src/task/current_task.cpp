#include "aio/runtime/event_loop.hpp"
#include "aio/task/task_handle.hpp"

namespace aio {

task_handle current_task() noexcept { return task_handle(detail::current_task_header()); }

std::vector<task_handle> all_tasks() {
  const auto tasks = get_running_loop().tasks();
  std::vector<task_handle> out;
  out.reserve(tasks.size());
  for (auto* t : tasks) out.emplace_back(t);
  return out;
}

}  // namespace aio
