// The stall detector: a watchdog thread samples the loop's heartbeat; on a stall it interrupts the loop's
// thread with a real-time signal, reads the native stack and the running task while that thread waits in
// the signal handler, and reports. See include/aio/debug/stall_detector.hpp and docs/design/debugging.md.

#include "aio/debug/stall_detector.hpp"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aio/debug/call_graph.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "symbolize.hpp"

namespace aio {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// ---- the signal handler's side: one sample at a time, process-wide --------------------------------

enum sample_state : int {
  idle = 0,       // no sample asked for
  requested = 1,  // the watchdog signalled the loop's thread
  held = 2,       // the handler recorded the stack and holds the thread until released
  released = 3,   // the watchdog is done with the loop's state
};

constexpr int k_max_frames = 64;
constexpr int k_hold_limit_ms = 10'000;  // the handler lets the thread go after this, whatever happens

struct sample {
  std::atomic<int> state{idle};
  void* frames[k_max_frames] = {};
  int depth = 0;
  detail::task_header* task = nullptr;
};

sample g_sample;
std::mutex g_sample_mutex;  // one watchdog samples at a time

void on_sample_signal(int /*sig*/) {
  const int saved_errno = errno;
  if (g_sample.state.load(std::memory_order_acquire) == requested) {
    g_sample.depth = ::backtrace(g_sample.frames, k_max_frames);
    g_sample.task = detail::current_task_header();
    g_sample.state.store(held, std::memory_order_release);
    // Hold the thread: the watchdog reads the loop's task state meanwhile, and nothing else runs on it.
    for (int i = 0; i < k_hold_limit_ms && g_sample.state.load(std::memory_order_acquire) == held; ++i) {
      timespec ts{0, 1'000'000};
      ::nanosleep(&ts, nullptr);
    }
    g_sample.state.store(idle, std::memory_order_release);
  }
  errno = saved_errno;
}

int sample_signal() noexcept { return SIGRTMAX - 3; }

void install_handler() {
  static const bool installed = [] {
    void* warm[4];
    ::backtrace(warm, 4);  // loads the unwinder now: the first call may allocate, not signal-safe
    struct sigaction sa {};
    sa.sa_handler = &on_sample_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return ::sigaction(sample_signal(), &sa, nullptr) == 0;
  }();
  (void)installed;
}

std::string format_ms(steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<milliseconds>(d).count()) + " ms";
}

// Stall-ended notes waiting for the loop's thread: the watchdog posts a callback that drains them, and
// the detector's destructor drains what is left (so a note is delivered once, on the loop's thread).
struct pending_notes {
  event_loop* loop = nullptr;
  std::mutex mutex;
  std::vector<exception_context> notes;

  void drain() {
    std::vector<exception_context> out;
    {
      std::lock_guard<std::mutex> lock(mutex);
      out.swap(notes);
    }
    for (const exception_context& ctx : out) loop->call_exception_handler(ctx);
  }
};

}  // namespace

struct stall_detector::state {
  std::shared_ptr<pending_notes> notes = std::make_shared<pending_notes>();
  event_loop* loop;
  clock::duration threshold;
  pthread_t loop_thread;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  // Watchdog only, until the thread is joined:
  bool in_stall = false;
  steady_clock::time_point stall_since;
  std::string stalled_task;
  std::thread watchdog;

  void run();
  void report_stall(steady_clock::duration stalled_for);
  void report_end(steady_clock::duration lasted, bool on_loop_thread);
};

void stall_detector::state::run() {
  const auto& beat = detail::loop_access::heartbeat(*loop);
  const auto period =
      std::max<clock::duration>(std::chrono::duration_cast<clock::duration>(milliseconds(1)), threshold / 4);
  std::uint64_t last = beat.load(std::memory_order_relaxed);
  steady_clock::time_point last_change = steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex);
  while (!stopping) {
    wake.wait_for(lock, period);
    if (stopping) break;
    const std::uint64_t now_beat = beat.load(std::memory_order_relaxed);
    const steady_clock::time_point now = steady_clock::now();
    const bool idle = (now_beat & 1U) != 0;
    if (now_beat != last || idle) {
      if (in_stall) {
        in_stall = false;
        lock.unlock();
        report_end(now - stall_since, false);
        lock.lock();
      }
      last = now_beat;
      last_change = now;
      continue;
    }
    if (!in_stall && now - last_change >= threshold) {
      in_stall = true;
      stall_since = last_change;
      lock.unlock();
      report_stall(now - last_change);
      lock.lock();
    }
  }
}

void stall_detector::state::report_stall(steady_clock::duration stalled_for) {
  std::lock_guard<std::mutex> one_at_a_time(g_sample_mutex);
  g_sample.task = nullptr;
  g_sample.depth = 0;
  g_sample.state.store(requested, std::memory_order_release);
  bool held_thread = false;
  if (::pthread_kill(loop_thread, sample_signal()) == 0) {
    for (int i = 0; i < 1000; ++i) {  // up to a second for the handler to run
      if (g_sample.state.load(std::memory_order_acquire) == held) {
        held_thread = true;
        break;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  if (!held_thread) {
    // The signal was not taken (blocked by the thread?): report what the watchdog knows alone.
    int expected = requested;
    if (!g_sample.state.compare_exchange_strong(expected, idle)) {
      while (g_sample.state.load(std::memory_order_acquire) != held)
        std::this_thread::sleep_for(milliseconds(1));
      held_thread = true;
    }
  }

  exception_context ctx;
  std::ostringstream text;
  text << "the event loop has been stalled for " << format_ms(stalled_for) << " (threshold "
       << format_ms(threshold) << ")";
  if (held_thread) {
    detail::task_header* t = g_sample.task;
    if (t != nullptr) {
      ctx.task_name = t->name();
      stalled_task = ctx.task_name;
      text << ": task '" << ctx.task_name << "' is running\n";
      text << "Await graph of the running task (from where the loop last resumed it):\n"
           << format_call_graph(capture_call_graph(task_handle(t)));
    } else {
      text << ": no task is running (a callback, or the loop itself)\n";
      stalled_task.clear();
    }
    text << "Native stack of the loop's thread (innermost first):\n";
    // Frame 0 is the handler, frame 1 the kernel's signal return: the interrupted code starts at 2.
    for (int i = 2; i < g_sample.depth; ++i) {
      const void* pc = g_sample.frames[i];
      // A return address points after its call: look up the byte before it (not for the interrupted PC).
      const void* lookup = i == 2 ? pc : static_cast<const char*>(pc) - 1;
      char addr[32];
      std::snprintf(addr, sizeof addr, "%p", pc);
      text << "  #" << (i - 2) << ' ' << addr << ' ' << detail::symbolize(lookup) << '\n';
    }
  } else {
    text << ": the loop's thread did not answer the sampling signal\n";
  }
  ctx.message = text.str();
  // The loop's thread is held in the signal handler: the handler never runs alongside the loop.
  loop->call_exception_handler(ctx);
  if (held_thread) {
    int expected = held;
    g_sample.state.compare_exchange_strong(expected, released, std::memory_order_acq_rel);
    // Wait for the handler to let go before another sample may start.
    while (g_sample.state.load(std::memory_order_acquire) != idle)
      std::this_thread::sleep_for(milliseconds(1));
  }
}

void stall_detector::state::report_end(steady_clock::duration lasted, bool on_loop_thread) {
  exception_context ctx;
  ctx.task_name = stalled_task;
  ctx.message = "the event loop stall ended after " + format_ms(lasted) +
                (stalled_task.empty() ? std::string() : " (task '" + stalled_task + "')");
  {
    std::lock_guard<std::mutex> lock(notes->mutex);
    notes->notes.push_back(std::move(ctx));
  }
  if (on_loop_thread) {
    notes->drain();
  } else {
    loop->call_soon_threadsafe([n = notes] { n->drain(); });
  }
}

stall_detector::stall_detector(event_loop& loop, clock::duration threshold)
    : m_state(std::make_unique<state>()) {
  install_handler();
  m_state->loop = &loop;
  m_state->notes->loop = &loop;
  m_state->threshold = threshold;
  m_state->loop_thread = ::pthread_self();
  m_state->watchdog = std::thread([s = m_state.get()] { s->run(); });
}

stall_detector::~stall_detector() {
  {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    m_state->stopping = true;
  }
  m_state->wake.notify_one();
  m_state->watchdog.join();
  // A stall reported whose end the watchdog had not seen yet: the loop is past it, since we run on it.
  if (m_state->in_stall) {
    m_state->report_end(steady_clock::now() - m_state->stall_since, true);
  } else {
    m_state->notes->drain();  // an end the watchdog posted that the loop has not run yet
  }
}

int stall_detector::signal_number() noexcept { return sample_signal(); }

clock::duration detail::stall_threshold_for(const clock::duration* option, bool debug,
                                            clock::duration debug_default) {
  if (option != nullptr) return *option;
  if (const char* env = std::getenv("AIO_STALL_MS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long ms = std::strtol(env, &end, 10);
    if (end != env && ms > 0) return std::chrono::duration_cast<clock::duration>(milliseconds(ms));
    return clock::duration::zero();
  }
  return debug ? debug_default : clock::duration::zero();
}

}  // namespace aio
