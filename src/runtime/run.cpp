// aio::run's shutdown sequence, as asyncio.Runner: run main; cancel what is left and let it finish;
// shut the default executor down; close the loop.

#include "aio/runtime/run.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

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
bool on_main_thread() { return ::getpid() == static_cast<pid_t>(::gettid()); }

bool sigint_is_default() {
  struct sigaction sa {};
  ::sigaction(SIGINT, nullptr, &sa);
  return sa.sa_handler == SIG_DFL;  // NOLINT(cppcoreguidelines-pro-type-union-access)
}
}  // namespace

void run_main(event_loop& loop, const task_handle& main, const run_options& opts, const run_hooks& hooks) {
  bool sigint = opts.handle_sigint && on_main_thread() && sigint_is_default();
  int interrupts = 0;
  if (sigint) {
    loop.add_signal_handler(SIGINT, [&loop, main, &interrupts] {
      if (++interrupts > 1 || main.done()) {
        // A second Ctrl-C means "now": restore the default action and deliver it.
        loop.remove_signal_handler(SIGINT);
        std::raise(SIGINT);
        return;
      }
      task_handle(main).cancel("interrupted by SIGINT");
    });
  }
  loop.run_until([&main] { return main.done(); });
  if (hooks.after_main != nullptr) hooks.after_main(loop, hooks.context);

  // Cancel and await every leftover task (asyncio.runners._cancel_all_tasks).
  std::vector<task_handle> left;
  for (auto* t : loop.tasks()) left.emplace_back(t);
  for (auto& t : left) t.cancel();
  loop.run_until([&loop] { return loop.live_tasks() == 0; });
  for (auto& t : left) {
    if (!t.cancelled() && t.header()->has(task_header::flag_error)) {
      t.header()->set(task_header::flag_retrieved);
      loop.call_exception_handler(
          {"unhandled exception during aio::run() shutdown", t.header()->error(), t.get_name()});
    }
  }
  left.clear();
  if (sigint) loop.remove_signal_handler(SIGINT);
  if (hooks.before_close != nullptr) hooks.before_close(loop, hooks.context);
  loop.close();
}

}  // namespace aio::detail
