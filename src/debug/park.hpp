#pragma once
// Parking a loop's thread: interrupt it with a real-time signal whose handler records where it was
// and holds it, run something on the calling thread meanwhile, then let it go. The stall detector
// (stall_detector.cpp) and the `aio ps` agent (ps_agent.cpp) read a loop's state this way while
// nothing runs on it. See docs/design/debugging.md.

#include <pthread.h>

#include <chrono>

namespace aio::detail {

class task_header;

/// What the handler recorded on the parked thread.
struct parked_thread {
  /// The handler holds the thread (false: it did not take the signal in time; nothing below is set).
  bool held = false;
  /// Its native stack, innermost first: frames[0] is the handler, frames[1] the kernel's signal return,
  /// the interrupted code starts at frames[2].
  void* const* frames = nullptr;
  int depth = 0;
  /// The task whose step was running (nullptr between tasks).
  task_header* task = nullptr;
};

/// The signal (`SIGRTMAX - 3`); its handler is installed by `install_park_handler` and stays.
int park_signal() noexcept;
/// Installs the handler (once per process; later calls do nothing). Call it before the first park,
/// from any thread.
void install_park_handler();

/// Interrupts `thread` with `park_signal()`, waits up to `wait` for its handler to hold it, calls
/// `fn(info, context)` on this thread, then lets the thread go and waits until it has left the
/// handler. `fn` runs also when the thread did not answer (`info.held` false). One park at a time in
/// the process: a second caller waits for the first. The handler lets the thread go by itself after
/// 10 s, whatever `fn` is doing.
void run_while_parked(pthread_t thread, std::chrono::milliseconds wait,
                      void (*fn)(const parked_thread& info, void* context), void* context);

/// The same with any callable.
template <class F>
void run_while_parked(pthread_t thread, std::chrono::milliseconds wait, F& fn) {
  run_while_parked(
      thread, wait, [](const parked_thread& info, void* ctx) { (*static_cast<F*>(ctx))(info); }, &fn);
}

}  // namespace aio::detail
