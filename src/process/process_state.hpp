#pragma once
// The shared state behind `aio::process` handles.
//
// Design (docs/design/subprocess.md):
// - Owned by an intrusive count: every handle, every `wait()` awaiter, and the exit watch while it is
//   pending. The loop is single-threaded: no atomics.
// - The exit watch is one `readable` operation on the child's pidfd, submitted only while some task
//   waits (so a process nobody waits for costs the loop nothing, and under virtual time the clock
//   follows the wall exactly while a task waits for a child). The pidfd's registration is attached to
//   the loop only while the watch is pending: a state that outlives its loop never touches it.
// - Waiters are wait nodes in the awaiting frames (`process_wait_operation`); the reap wakes them all.
// - Reaping is `waitid(P_PIDFD, WNOHANG)`: only this state can reap its child, no SIGCHLD involved.
// - Destroyed with the child still running: SIGKILL, then a blocking reap (no zombie is left).

#include <cstdint>
#include <optional>

#include "aio/detail/task_header.hpp"
#include "aio/io/detail/io_op.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"

namespace aio {
class event_loop;
namespace detail {

class process_state {
 public:
  /// Takes ownership of `pidfd`; the count starts at 1 (the creator's).
  process_state(event_loop& loop, int pid, int pidfd) noexcept;
  process_state(const process_state&) = delete;
  process_state& operator=(const process_state&) = delete;

  void add_ref() noexcept { ++m_refs; }
  void release() noexcept {
    if (--m_refs == 0) delete this;
  }

  /// Reaps the child if it has exited (never blocks). True once `m_returncode` is known; then the
  /// waiters are woken and the pidfd is closed.
  bool poll() noexcept;
  /// Starts the exit watch if it is not running (a waiter was just linked). Throws std::system_error
  /// if the pidfd cannot be watched.
  void watch();
  /// The last waiter left: stops the watch.
  void unwatch() noexcept;
  /// Sends `sig` through the pidfd (no pid-reuse race); nothing once the child is reaped.
  void send_signal(int sig);

  event_loop* m_loop;
  int m_pid;
  std::optional<int> m_returncode;
  int m_watch_error = 0;  ///< errno of a failed watch, reported to the waiters
  wait_list m_waiters;
  stream_writer m_stdin;
  stream_reader m_stdout;
  stream_reader m_stderr;

 private:
  ~process_state();
  bool reap_now() noexcept;  // sets m_returncode; no other effect
  void arm();                // reaps, or submits the readable operation
  void finish() noexcept;    // the child is reaped: close the pidfd, wake the waiters
  void stop_watching() noexcept;
  void close_pidfd() noexcept;
  static void on_ready(io_op& op) noexcept;

  int m_pidfd;
  io_registration m_reg;
  io_op m_op;
  bool m_watching = false;  // m_op is pending (holds a reference and an external-work count)
  std::uint32_t m_refs = 1;
};

}  // namespace detail
}  // namespace aio
