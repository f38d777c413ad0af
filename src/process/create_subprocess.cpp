// create_subprocess_exec / create_subprocess_shell, and the environment helper.

#include "aio/process/create_subprocess.hpp"

#include <cstring>
#include <utility>

#include "aio/runtime/event_loop.hpp"
#include "spawn.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace aio {

namespace {
// The public functions are plain functions that copy what the options point at and forward to this
// coroutine (g++ 12: docs/design/compilers.md).
coro<process> spawn_impl(detail::spawn_request req) {
  co_return detail::spawn_process(get_running_loop(), req);
}

detail::spawn_request make_request(std::string program, std::vector<std::string> argv,
                                   const subprocess_options& opts) {
  detail::spawn_request req;
  req.program = std::move(program);
  req.argv = std::move(argv);
  req.stdin_ = opts.stdin_;
  req.stdout_ = opts.stdout_;
  req.stderr_ = opts.stderr_;
  if (opts.env != nullptr) req.env = *opts.env;
  req.cwd = std::string(opts.cwd);
  req.limit = opts.limit;
  return req;
}
}  // namespace

environment current_environment() {
  environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq == nullptr) continue;
    env.emplace(std::string(*e, static_cast<std::size_t>(eq - *e)), std::string(eq + 1));
  }
  return env;
}

coro<process> detail::exec_views(std::string program, const std::string_view* args, std::size_t n,
                                 const subprocess_options& opts) {
  std::vector<std::string> argv;
  argv.reserve(n + 1);
  argv.push_back(program);
  for (std::size_t i = 0; i < n; ++i) argv.emplace_back(args[i]);
  return spawn_impl(make_request(std::move(program), std::move(argv), opts));
}

coro<process> create_subprocess_shell(std::string cmd, subprocess_options opts) {
  std::vector<std::string> argv{"/bin/sh", "-c", std::move(cmd)};
  return spawn_impl(make_request("/bin/sh", std::move(argv), opts));
}

coro<process> create_subprocess_shell(std::string cmd) {
  return create_subprocess_shell(std::move(cmd), subprocess_options{});
}

}  // namespace aio
