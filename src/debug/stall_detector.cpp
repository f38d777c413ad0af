// The stall detector: a watchdog thread samples the loop's heartbeat; on a stall it parks the loop's
// thread (park.hpp: a real-time signal whose handler holds it), reads the native stack and the running
// task while that thread waits in the signal handler, and reports. See include/aio/debug/stall_detector.hpp
// and docs/design/debugging.md.

#include "aio/debug/stall_detector.hpp"

#include <pthread.h>

#include <atomic>
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
#include "park.hpp"
#include "symbolize.hpp"

namespace aio {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

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
  auto report = [&](const detail::parked_thread& parked) {
    exception_context ctx;
    std::ostringstream text;
    text << "the event loop has been stalled for " << format_ms(stalled_for) << " (threshold "
         << format_ms(threshold) << ")";
    if (parked.held) {
      detail::task_header* t = parked.task;
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
      for (int i = 2; i < parked.depth; ++i) {
        const void* pc = parked.frames[i];
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
  };
  detail::run_while_parked(loop_thread, milliseconds(1000), report);  // up to a second for the handler
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
  detail::install_park_handler();
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

int stall_detector::signal_number() noexcept { return detail::park_signal(); }

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
