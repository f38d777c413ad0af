#pragma once
/// @file create_subprocess.hpp
/// `aio::create_subprocess_exec` / `aio::create_subprocess_shell`: start a child process
/// (asyncio's functions of the same names). See docs/guide/subprocess.md.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "aio/process/process.hpp"
#include "aio/process/stdio.hpp"
#include "aio/task/coro.hpp"

namespace aio {

/// A child's environment: name → value.
using environment = std::map<std::string, std::string>;

/// This process's environment (a copy of `environ`), to extend before passing it as `.env`.
environment current_environment();

/// How to start a child (aggregate: use designated initialisers, members in this order).
///
/// Every member is trivially destructible (views and a pointer, copied when the function is called),
/// so `co_await aio::create_subprocess_exec(p, args, {.stdout_ = aio::pipe, .cwd = dir})` is safe with
/// g++ 12, which destroys a braced temporary holding a `std::string` twice inside `co_await`.
struct subprocess_options {
  stdio stdin_ = inherit;   ///< `aio::pipe`, `aio::devnull`, `aio::stdio::from_fd(fd)` or inherit
  stdio stdout_ = inherit;  ///< the same choices
  stdio stderr_ = inherit;  ///< the same, plus `aio::stdout_redirect` (stderr goes where stdout goes)
  /// The child's whole environment (copied at the call); nullptr (the default): this process's.
  const environment* env = nullptr;
  /// The child's working directory (copied at the call); empty (the default): this process's.
  std::string_view cwd{};
  /// The buffer limit of the stdout/stderr readers (`readline()` and `readuntil()`), as asyncio's.
  std::size_t limit = detail::stream_transport::k_default_limit;
};
static_assert(std::is_trivially_destructible_v<subprocess_options>);

/// Starts `program` with `args` (not including the program itself, which becomes argv[0]); a
/// `program` without a '/' is looked up in PATH. Nothing runs until the result is awaited.
///
/// Every fd of this process other than the three standard ones is closed in the child (Python's
/// `close_fds=True`), and the child starts with the default action for every signal aio may have
/// changed (SIGPIPE) and an empty signal mask.
/// @par Errors
/// `std::system_error` with the errno when the child cannot be started: ENOENT for a missing program
/// (Python's FileNotFoundError), EACCES for one that is not executable, ...; its message names the
/// program (and the directory, when `cwd` is set). `std::invalid_argument` for `aio::stdout_redirect`
/// anywhere but `.stderr_`.
/// @par Cancellation
/// Starting is synchronous: once awaited, it completes without suspending.
/// @par Note
/// The first child started with a pipe makes this process ignore SIGPIPE (if its action was the
/// default), as Python does at start-up: writing to a pipe whose reader has gone then fails with EPIPE
/// (reported by `drain()`) instead of killing this process.
/// @par Example
/// @code
/// aio::process p = co_await aio::create_subprocess_exec("echo", {"hello"}, {.stdout_ = aio::pipe});
/// std::string line = co_await p.stdout_().readline();   // "hello\n"
/// co_await p.wait();
/// @endcode
coro<process> create_subprocess_exec(std::string program, std::vector<std::string> args,
                                     subprocess_options opts);
/// `create_subprocess_exec(program, args, {})`. (Overloads, not default arguments: g++ 12 destroys a
/// defaulted argument of class type twice when the call is inside `co_await`.)
coro<process> create_subprocess_exec(std::string program, std::vector<std::string> args);
/// `create_subprocess_exec(program, {}, {})`.
coro<process> create_subprocess_exec(std::string program);

/// Runs `cmd` through `/bin/sh -c` (so pipelines, redirections and globbing work). The same options,
/// errors and notes as `create_subprocess_exec`. Never pass untrusted text in `cmd` (shell injection):
/// use `create_subprocess_exec` with separate arguments instead.
coro<process> create_subprocess_shell(std::string cmd, subprocess_options opts);
/// `create_subprocess_shell(cmd, {})`.
coro<process> create_subprocess_shell(std::string cmd);

}  // namespace aio
