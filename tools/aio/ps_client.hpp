#pragma once
// Asking a process's `aio ps` agent for its tasks (src/debug/ps_agent.cpp answers).

#include <sys/types.h>

#include <chrono>
#include <string>

namespace aio_cli {

struct query_result {
  enum kind_t { ok, no_process, other_user, not_aio, refused, timed_out, failed } kind = failed;
  std::string text;  // the reply (ok), else what went wrong
};

/// Connects to "\0aio-ps-<pid>", sends the request and reads the reply, all within `timeout`.
query_result query_tasks(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace aio_cli
