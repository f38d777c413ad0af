// Parking a loop's thread with a real-time signal (see park.hpp and docs/design/debugging.md).

#include "park.hpp"

#include <execinfo.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>

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
constexpr long k_hold_limit_ms = 10'000;  // the handler lets the thread go after this, whatever happens

// One park at a time, process-wide: the handler writes here, the caller reads once `held` is seen.
struct park_slot {
  std::atomic<int> state{idle};
  void* frames[k_max_frames] = {};
  int depth = 0;
  task_header* task = nullptr;
};

park_slot g_slot;
std::mutex g_park_mutex;

// The state word doubles as a futex: each side sleeps on it in the kernel and the other wakes it at
// once (a raw system call: async-signal-safe, unlike std::atomic::wait).
void futex_wait(std::atomic<int>& word, int expected, long timeout_ns) noexcept {
  timespec ts{timeout_ns / 1'000'000'000, timeout_ns % 1'000'000'000};
  ::syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAIT_PRIVATE, expected, &ts, nullptr, 0);
}

void futex_wake(std::atomic<int>& word) noexcept {
  ::syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr, nullptr, 0);
}

constexpr long k_step_ns = 10'000'000;  // the longest single wait: a lost wake-up costs at most this

// Async-signal-safe: backtrace into a static buffer (its first call, which may allocate, is made at
// installation), a thread-local read, atomics, futex system calls.
void on_park_signal(int /*sig*/) {
  const int saved_errno = errno;
  if (g_slot.state.load(std::memory_order_acquire) == requested) {
    g_slot.depth = ::backtrace(g_slot.frames, k_max_frames);
    g_slot.task = current_task_header();
    g_slot.state.store(held, std::memory_order_release);
    futex_wake(g_slot.state);
    // Hold the thread: the caller reads its state meanwhile, and nothing else runs on it. Each wait
    // counts as a full step towards the limit, even when it returns early (woken, or interrupted).
    for (long i = 0;
         i < k_hold_limit_ms * 1'000'000 / k_step_ns && g_slot.state.load(std::memory_order_acquire) == held;
         ++i) {
      futex_wait(g_slot.state, held, k_step_ns);
    }
    g_slot.state.store(idle, std::memory_order_release);
    futex_wake(g_slot.state);
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
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      if (g_slot.state.load(std::memory_order_acquire) == held) {
        is_held = true;
        break;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      futex_wait(g_slot.state, requested, std::min<long>(static_cast<long>(left.count()), k_step_ns));
    }
  }
  if (!is_held) {
    // Not taken (the signal blocked by the thread?): withdraw the request, unless the handler took it
    // just now, in which case it is about to hold the thread.
    int expected = requested;
    if (!g_slot.state.compare_exchange_strong(expected, idle)) {
      while (g_slot.state.load(std::memory_order_acquire) != held)
        futex_wait(g_slot.state, requested, k_step_ns);
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
      futex_wake(g_slot.state);
      // Wait for the handler to let go before another park may start.
      for (int now = released; (now = g_slot.state.load(std::memory_order_acquire)) != idle;) {
        futex_wait(g_slot.state, now, k_step_ns);
      }
    }
  } release{is_held};
  fn(info, context);
}

}  // namespace aio::detail
