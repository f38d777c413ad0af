#pragma once
/// @file stall_detector.hpp
/// A watchdog that names what blocks the event loop: `run_options{.stall_threshold = 100ms}`, the
/// environment's `AIO_STALL_MS=100`, or debug mode (threshold `slow_callback_duration`) start one for
/// `aio::run`; a `stall_detector` object watches any loop.
///
/// The loop stores its iteration count (one relaxed store per iteration); a thread samples it. When the
/// loop has not come back for the threshold, the watchdog interrupts the loop's thread with a real-time
/// signal whose handler records the native stack and the running task, then holds the thread while the
/// watchdog writes one report (the running task, its await graph, the symbolised native stack) to the
/// loop's exception handler. When the loop moves again, "stall ended after N ms" follows (through the
/// loop, on its thread). One report per stall. See docs/design/debugging.md and docs/guide/debugging.md.

#include <memory>

#include "aio/runtime/event_loop.hpp"
#include "aio/time/clock.hpp"

namespace aio {

/// Watches `loop` from a thread of its own while the object lives.
/// @par Thread safety
/// Construct and destroy it on the loop's thread (the one whose stack is sampled).
/// @par The report
/// The loop's exception handler receives it on the watchdog thread while the loop's thread is held in
/// the signal handler (so the handler never runs alongside the loop). `message` starts with
/// "the event loop has been stalled for", `task_name` is the running task's (empty between
/// tasks). The stall-ended note comes through the loop, on its thread, once the loop runs again.
/// A blocking call interrupted by the signal may fail with `EINTR` (`poll`, `select`, `epoll_wait`; not
/// `read`/`recv`, which restart, nor `sleep_for`, which resumes).
/// The signal is `SIGRTMAX - 3`; its handler is installed on first use and stays.
class stall_detector {
 public:
  stall_detector(event_loop& loop, clock::duration threshold);
  stall_detector(const stall_detector&) = delete;
  stall_detector& operator=(const stall_detector&) = delete;
  ~stall_detector();

  /// The signal the watchdog interrupts the loop's thread with.
  [[nodiscard]] static int signal_number() noexcept;

  struct state;

 private:
  std::unique_ptr<state> m_state;
};

namespace detail {
/// The threshold `aio::run` uses: `option` when set (0: off), else `AIO_STALL_MS` from the environment
/// (0: off), else `debug_default` in debug mode, else off (0).
clock::duration stall_threshold_for(const clock::duration* option, bool debug, clock::duration debug_default);
}  // namespace detail

}  // namespace aio
