#pragma once
// Starting a child: pipes, posix_spawn, the pidfd, and the process state that owns them.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "aio/process/create_subprocess.hpp"

namespace aio {
class event_loop;
namespace detail {

/// What to start, owned (the public options hold views, copied into this at the call).
struct spawn_request {
  std::string program;            ///< looked up in PATH when it has no '/'
  std::vector<std::string> argv;  ///< argv[0] included
  stdio stdin_;
  stdio stdout_;
  stdio stderr_;
  std::optional<environment> env;
  std::string cwd;
  std::size_t limit = 0;
};

/// Throws std::system_error naming the program when it cannot be started.
process spawn_process(event_loop& loop, const spawn_request& req);

}  // namespace detail
}  // namespace aio
