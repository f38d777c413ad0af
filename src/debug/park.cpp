// Parking a loop's thread with a real-time signal (see park.hpp and docs/design/debugging.md).

#include "park.hpp"

#include <execinfo.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>

#include "aio/detail/task_header.hpp"

namespace aio::detail {

namespace {

using std::chrono::milliseconds;

enum park_state : int {
  idle = 0,       // nobody asked
  requested = 1,  // the caller signalled the thread
  held = 2,       // the handler recorded the stack and holds the thread until released
  released = 3,   // the caller is done with the thread's state
};

constexpr int k_max_frames = 64;
constexpr int k_hold_limit_ms = 10'000;  // the handler lets the thread go after this, whatever happens

// One park at a time, process-wide: the handler writes here, the caller reads once `held` is seen.
struct park_slot {
  std::atomic<int> state{idle};
  void* frames[k_max_frames] = {};
  int depth = 0;
  task_header* task = nullptr;
};

park_slot g_slot;
std::mutex g_park_mutex;

// Async-signal-safe: backtrace into a static buffer (its first call, which may allocate, is made at
// installation), a thread-local read, atomics, nanosleep.
void on_park_signal(int /*sig*/) {
  const int saved_errno = errno;
  if (g_slot.state.load(std::memory_order_acquire) == requested) {
    g_slot.depth = ::backtrace(g_slot.frames, k_max_frames);
    g_slot.task = current_task_header();
    g_slot.state.store(held, std::memory_order_release);
    // Hold the thread: the caller reads its state meanwhile, and nothing else runs on it.
    for (int i = 0; i < k_hold_limit_ms && g_slot.state.load(std::memory_order_acquire) == held; ++i) {
      timespec ts{0, 1'000'000};
      ::nanosleep(&ts, nullptr);
    }
    g_slot.state.store(idle, std::memory_order_release);
  }
  errno = saved_errno;
}

}  // namespace

int park_signal() noexcept { return SIGRTMAX - 3; }

void install_park_handler() {
  static const bool installed = [] {
    void* warm[4];
    ::backtrace(warm, 4);  // loads the unwinder now: the first call may allocate, not signal-safe
    struct sigaction sa {};
    sa.sa_handler = &on_park_signal;  // NOLINT(cppcoreguidelines-pro-type-union-access)
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return ::sigaction(park_signal(), &sa, nullptr) == 0;
  }();
  (void)installed;
}

void run_while_parked(pthread_t thread, milliseconds wait, void (*fn)(const parked_thread&, void*),
                      void* context) {
  install_park_handler();
  std::lock_guard<std::mutex> one_at_a_time(g_park_mutex);
  g_slot.task = nullptr;
  g_slot.depth = 0;
  g_slot.state.store(requested, std::memory_order_release);
  bool is_held = false;
  if (::pthread_kill(thread, park_signal()) == 0) {
    for (milliseconds waited{0}; waited <= wait; waited += milliseconds(1)) {
      if (g_slot.state.load(std::memory_order_acquire) == held) {
        is_held = true;
        break;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  if (!is_held) {
    // Not taken (the signal blocked by the thread?): withdraw the request, unless the handler took it
    // just now, in which case it is about to hold the thread.
    int expected = requested;
    if (!g_slot.state.compare_exchange_strong(expected, idle)) {
      while (g_slot.state.load(std::memory_order_acquire) != held)
        std::this_thread::sleep_for(milliseconds(1));
      is_held = true;
    }
  }
  parked_thread info;
  if (is_held) {
    info.held = true;
    info.frames = g_slot.frames;
    info.depth = g_slot.depth;
    info.task = g_slot.task;
  }
  // Let the thread go even if fn throws.
  struct release_on_exit {
    bool active;
    ~release_on_exit() {
      if (!active) return;
      int expected = held;
      g_slot.state.compare_exchange_strong(expected, released, std::memory_order_acq_rel);
      // Wait for the handler to let go before another park may start.
      while (g_slot.state.load(std::memory_order_acquire) != idle)
        std::this_thread::sleep_for(milliseconds(1));
    }
  } release{is_held};
  fn(info, context);
}

}  // namespace aio::detail
