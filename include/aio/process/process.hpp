#pragma once
/// @file process.hpp
/// `aio::process`: a running child process (asyncio's `asyncio.subprocess.Process`).
///
/// Created by `aio::create_subprocess_exec` / `aio::create_subprocess_shell`
/// (aio/process/create_subprocess.hpp). The child's exit is watched with a pidfd registered with the
/// event loop: no SIGCHLD handler, no thread. See docs/design/subprocess.md.

#include <coroutine>
#include <optional>
#include <string>

#include "aio/detail/task_header.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/task/coro.hpp"

namespace aio {

namespace detail {
class process_state;

/// The awaiter of `process::wait()`: a wait node in the awaiting frame; any number of tasks may wait.
class process_wait_operation : public suspension, public wait_node {
 public:
  explicit process_wait_operation(process_state* s) noexcept;
  process_wait_operation(process_wait_operation&& o) noexcept;
  process_wait_operation& operator=(process_wait_operation&&) = delete;
  ~process_wait_operation();
  bool await_ready();
  bool await_suspend(std::coroutine_handle<> h);
  int await_resume();

 private:
  static bool on_cancel(suspension* s, const std::string& msg);
  static void on_exit(wait_node* n);
  process_state* m_state;
  task_header* m_task = nullptr;
  bool m_linked = false;
  bool m_withdrawn = false;
};
}  // namespace detail

/// What `process::communicate()` collected: everything the child wrote to its stdout and stderr pipes
/// ("" for a stream that is not a pipe). `auto [out, err] = co_await p.communicate();`
struct communicate_result {
  std::string stdout_;
  std::string stderr_;
};

/// A child process. A handle: copies share the process (pass one to another task by value).
///
/// When the last handle goes while the child still runs, the child is killed (SIGKILL) and reaped at
/// once, as asyncio's subprocess transport kills its child when closed: no zombie is ever left behind,
/// and no child outlives the `aio::run` whose task owned its handles. Keep a handle (and `co_await
/// wait()`) for as long as the child should run.
///
/// @par Cancellation
/// `wait()` is cancel-safe: a cancelled waiter leaves, the child keeps running, and a later `wait()`
/// still gets the exit status. A cancelled `communicate()` stops reading and writing; what it had read
/// is lost (as asyncio), the pipes stay open (the stream handles still work).
/// @par Errors
/// `send_signal` throws `std::system_error` for an invalid signal or a permission error; the stream
/// accessors throw `std::logic_error` when that stream is not a pipe.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// aio::process p = co_await aio::create_subprocess_exec("ls", {"-l"}, {.stdout_ = aio::pipe});
/// auto [out, err] = co_await p.communicate();
/// int status = co_await p.wait();   // already known: returns at once
/// @endcode
class process {
 public:
  process() noexcept = default;
  explicit process(detail::process_state* s) noexcept;  ///< takes one reference
  process(const process& o) noexcept;
  process(process&& o) noexcept : m_state(o.m_state) { o.m_state = nullptr; }
  process& operator=(process o) noexcept {
    std::swap(m_state, o.m_state);
    return *this;
  }
  ~process();

  /// The child's process id.
  [[nodiscard]] int pid() const noexcept;
  /// The exit status once the child has exited (checked without blocking): the exit code, or minus the
  /// signal number that killed it (-9 for SIGKILL), as Python. `std::nullopt` while it runs.
  [[nodiscard]] std::optional<int> returncode() const;

  /// Waits for the child to exit and yields `returncode()`. Several tasks may wait at once.
  /// @par Cancellation
  /// Cancel-safe: the child keeps running.
  /// @par Note
  /// With `aio::pipe` outputs, read them (or use `communicate()`): a child blocked on a full pipe never
  /// exits (Python's documentation warns the same).
  [[nodiscard]] detail::process_wait_operation wait() const noexcept;

  /// Sends `input` to stdin (when it is a pipe) and closes it, reads stdout and stderr (when pipes) to
  /// their end, concurrently, then waits for the exit. Outputs of any size: nothing deadlocks on a full
  /// pipe. A child that exits without reading its input is not an error (EPIPE is ignored, as Python).
  /// @par Cancellation
  /// What was read so far is lost; the child keeps running.
  /// @par Errors
  /// A failed read throws `std::system_error`.
  [[nodiscard]] coro<communicate_result> communicate(std::string input) const;
  /// `communicate("")`: closes stdin (when a pipe) without writing. (An overload, not a default
  /// argument: g++ 12, docs/design/compilers.md.)
  [[nodiscard]] coro<communicate_result> communicate() const;

  /// What `aio::with(p, body)` and `async_exit_stack` await on exit: closes stdin (when a pipe), reads
  /// and drops what is left on stdout and stderr (when pipes, so a child blocked on a full pipe still
  /// exits), then waits for the exit. asyncio's Process has no `async with`; this is Trio's
  /// `Process.aclose` and `subprocess.Popen.__exit__` (close the pipes, wait), minus Trio's kill on
  /// cancellation: a child that never exits keeps the `with` waiting, so terminate() it in the body.
  /// @par Cancellation
  /// As `communicate()`: the child keeps running.
  [[nodiscard]] coro<> aclose() const;

  /// Sends signal `sig` (from <csignal>) to the child; does nothing once it has exited.
  void send_signal(int sig) const;
  /// SIGTERM.
  void terminate() const;
  /// SIGKILL.
  void kill() const;

  /// The write end of the child's stdin (`.stdin_ = aio::pipe` only). `write_eof()` or `close()` it to
  /// let the child see the end of its input.
  // NOLINTNEXTLINE(readability-identifier-naming): asyncio's name; `stdin` is a C macro
  [[nodiscard]] stream_writer& stdin_() const;
  /// The read end of the child's stdout (`.stdout_ = aio::pipe` only).
  // NOLINTNEXTLINE(readability-identifier-naming): asyncio's name; `stdout` is a C macro
  [[nodiscard]] stream_reader& stdout_() const;
  /// The read end of the child's stderr (`.stderr_ = aio::pipe` only).
  // NOLINTNEXTLINE(readability-identifier-naming): asyncio's name; `stderr` is a C macro
  [[nodiscard]] stream_reader& stderr_() const;
  /// Whether each stream is a pipe (its accessor then works).
  [[nodiscard]] bool has_stdin() const noexcept;
  [[nodiscard]] bool has_stdout() const noexcept;
  [[nodiscard]] bool has_stderr() const noexcept;

  /// False for a default-constructed or moved-from handle.
  [[nodiscard]] bool valid() const noexcept { return m_state != nullptr; }

 private:
  detail::process_state* m_state = nullptr;
};

}  // namespace aio
