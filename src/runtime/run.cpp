// aio::run's shutdown sequence, as asyncio.Runner: run main; cancel what is left and let it finish;
// shut the default executor down; close the loop.

#include "aio/runtime/run.hpp"

#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "../debug/ps_agent.hpp"
#include "aio/debug/metrics.hpp"
#include "aio/debug/stall_detector.hpp"
#include "aio/debug/trace.hpp"
#include "aio/detail/result_slot.hpp"
#include "aio/executor/thread_pool.hpp"

namespace aio::detail {

loop_options prepare_run(const run_options& opts) {
  if (running_loop() != nullptr) {
    throw std::runtime_error(
        "aio::run() cannot be called from a running event loop; inside a coroutine, co_await the coro "
        "or use aio::create_task()");
  }
  loop_options lo{.debug = opts.debug, .backend = opts.backend, .clock = opts.clock};
  if (const char* env = std::getenv("AIO_DEBUG");
      env != nullptr && std::strcmp(env, "") != 0 && std::strcmp(env, "0") != 0) {
    lo.debug = true;
  }
  return lo;
}

namespace {
/// Runs the loop until `left` (the tasks cancelled at the end of aio::run) have finished. A handle
/// is dropped as soon as its task is done, its failure (if any) moved to `failures`: a handle keeps
/// the task's frame, and what the frame owns, alive. A server's wait_closed() waits for its
/// connections' frames to go, so a task that shuts a server down on cancellation (the dashboard, a
/// user's clean-up) would wait forever on frames only this list kept.
void finish_leftovers(event_loop& loop, std::vector<task_handle>& left,
                      std::vector<exception_context>& failures) {
  // Tasks finished so far (created minus live): look at the list only when that moved.
  std::uint64_t seen = ~std::uint64_t{0};
  auto settle = [&] {
    const std::uint64_t finished = loop.tasks_created() - loop.live_tasks();
    if (finished == seen) return;
    seen = finished;
    for (auto& t : left) {
      if (!t || !t.done()) continue;
      if (!t.cancelled() && t.header()->has(task_header::flag_error)) {
        t.header()->set(task_header::flag_retrieved);
        failures.push_back(
            {"unhandled exception during aio::run() shutdown", t.header()->error(), t.get_name()});
      }
      t = task_handle();
    }
  };
  loop.run_until([&] {
    settle();
    return loop.live_tasks() == 0;
  });
  seen = ~std::uint64_t{0};
  settle();
}
}  // namespace

namespace {
bool on_main_thread() { return ::getpid() == static_cast<pid_t>(::gettid()); }

bool sigint_is_default() {
  struct sigaction sa {};
  ::sigaction(SIGINT, nullptr, &sa);
  return sa.sa_handler == SIG_DFL;  // NOLINT(cppcoreguidelines-pro-type-union-access)
}
}  // namespace

namespace {
/// `run_options::dashboard`, else AIO_DASHBOARD: started through the hook aio::http sets (the
/// dashboard is an HTTP server, a layer above this one: docs/design/metrics.md).
std::shared_ptr<void> start_dashboard(event_loop& loop, const run_options& opts) {
  std::string address = opts.dashboard;
  if (address.empty()) {
    if (const char* env = std::getenv("AIO_DASHBOARD"); env != nullptr) address = env;
  }
  if (address.empty() || address == "0") return nullptr;
  const metrics::detail::dashboard_starter start = metrics::detail::get_dashboard_starter();
  if (start == nullptr) {
    std::cerr << "aio: no dashboard: it is part of aio::http; link aio::http and include <aio/http.hpp>\n";
    return nullptr;
  }
  try {
    return start(loop, address);
  } catch (const std::exception& e) {
    std::cerr << "aio: no dashboard at " << address << ": " << e.what() << "\n";
  }
  return nullptr;
}
}  // namespace

bool run_main(event_loop& loop, const task_handle& main, const run_options& opts, const run_hooks& hooks) {
  const bool sigint = opts.handle_sigint && on_main_thread() && sigint_is_default();
  // asyncio.Runner._on_sigint: the first Ctrl+C cancels main; one after that, or one arriving once main
  // is done, interrupts the clean-up.
  int interrupts = 0;
  bool aborted = false;
  if (sigint) {
    loop.add_signal_handler(SIGINT, [&loop, main, &interrupts, &aborted, &opts] {
      if (++interrupts == 1 && !main.done()) {
        task_handle(main).cancel("interrupted by SIGINT");
        // Without raise_keyboard_interrupt nothing can catch a second Ctrl+C: give SIGINT its default
        // disposition back now, so that it ends the process at once even while the clean-up blocks
        // the loop (Python's second KeyboardInterrupt).
        if (!opts.raise_keyboard_interrupt) loop.remove_signal_handler(SIGINT);
        return;
      }
      if (opts.raise_keyboard_interrupt) {
        aborted = true;
        loop.stop();
        return;
      }
      loop.remove_signal_handler(SIGINT);
      end_interrupted(opts);
    });
  }
  // The trace records the whole run, the loop's close included (tasks it drops end there).
  std::unique_ptr<trace_recorder> trace;
  if (const std::string path = trace_path_for(opts.trace_path ? &*opts.trace_path : nullptr); !path.empty())
    trace = std::make_unique<trace_recorder>(loop, path);
  // `aio ps PID` lists this loop's tasks while it runs (unless AIO_PS=0): until the loop closes.
  std::optional<ps_registration> listed;
  listed.emplace(loop);
  // On for the whole run (main, its clean-up), off before the loop closes.
  std::unique_ptr<stall_detector> watchdog;
  const clock::duration stall = stall_threshold_for(opts.stall_threshold ? &*opts.stall_threshold : nullptr,
                                                    loop.get_debug(), loop.slow_callback_duration);
  if (stall > clock::duration::zero()) watchdog = std::make_unique<stall_detector>(loop, stall);
  // The dashboard serves while main runs. Its tasks are cancelled with the leftovers; what they use
  // (its application) is released only once they have finished.
  std::shared_ptr<void> dashboard = start_dashboard(loop, opts);
  loop.run_until([&main] { return main.done(); });
  if (!aborted) {
    if (hooks.after_main != nullptr) hooks.after_main(loop, hooks.context);
    // Cancel and await every leftover task (asyncio.runners._cancel_all_tasks).
    std::vector<task_handle> left;
    for (auto* t : loop.tasks()) left.emplace_back(t);
    for (auto& t : left) t.cancel();
    std::vector<exception_context> failures;
    finish_leftovers(loop, left, failures);
    for (auto& f : failures) loop.call_exception_handler(f);
  }
  if (sigint) loop.remove_signal_handler(SIGINT);
  dashboard.reset();
  watchdog.reset();
  listed.reset();
  if (!aborted && hooks.before_close != nullptr) hooks.before_close(loop, hooks.context);
  // An abandoned clean-up leaves tasks pending: close() reports and drops them.
  loop.close();
  if (aborted) return true;
  // asyncio.Runner.run: main cancelled by our Ctrl+C (and by nothing else) becomes KeyboardInterrupt.
  return interrupts > 0 && main.cancelled() && task_handle(main).uncancel() == 0;
}

void end_interrupted(const run_options& opts) {
  if (opts.raise_keyboard_interrupt) throw keyboard_interrupt();
  // Python ends an unhandled KeyboardInterrupt by killing itself with SIGINT after finalising, so that
  // the parent (a shell, make) sees the interrupt and stops too. A signal death skips stdio's flush:
  // do it first, so that what the clean-up printed is not lost in a pipe's buffer.
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::fflush(nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;  // NOLINT(cppcoreguidelines-pro-type-union-access)
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGINT, &dfl, nullptr);
  sigset_t only_int;
  sigemptyset(&only_int);
  sigaddset(&only_int, SIGINT);
  ::pthread_sigmask(SIG_UNBLOCK, &only_int, nullptr);
  std::raise(SIGINT);
  std::_Exit(128 + SIGINT);  // not reached: the default action of SIGINT ends the process
}

}  // namespace aio::detail
