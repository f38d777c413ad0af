// serve() / app_server and run_app(): hooks, workers, signals, graceful shutdown.

#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "aio/errors.hpp"
#include "aio/executor/to_thread.hpp"
#include "aio/http/server/run_app.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/runtime/run.hpp"
#include "aio/sync/event.hpp"
#include "site.hpp"

namespace aio::http {

struct app_server::state {
  application* app = nullptr;
  std::shared_ptr<detail::site> site;
  bool hooks = false;  // startup hooks ran: cleanup hooks run at shutdown
  bool stopped = false;
};

namespace {

coro<> run_hooks(application& app, std::vector<app_hook>& hooks) {
  for (auto& h : hooks) co_await h(app);
}

/// Runs every cleanup hook even if one fails; rethrows the first failure.
coro<> run_cleanup(application& app) {
  std::exception_ptr first;
  for (auto& h : app.on_cleanup()) {
    try {
      co_await h(app);
    } catch (const std::exception&) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace

app_server::~app_server() {
  if (m_state && !m_state->stopped && m_state->site) {
    m_state->site->shutting_down = true;
    m_state->site->srv.close();
    m_state->site->srv.abort_clients();
    if (m_state->site->sweeper) m_state->site->sweeper.cancel();
  }
}

std::uint16_t app_server::port() const { return m_state && m_state->site ? m_state->site->srv.port() : 0; }

std::size_t app_server::connection_count() const noexcept {
  return m_state && m_state->site ? m_state->site->conn_count : 0;
}

coro<> app_server::shutdown() {
  std::shared_ptr<state> s = m_state;
  if (!s || s->stopped) co_return;
  s->stopped = true;
  co_await detail::stop_site(s->site);
  if (s->hooks) co_await run_cleanup(*s->app);
}

namespace detail {

coro<app_server> serve_impl(application& app, serve_options opts, bool hooks) {
  auto st = std::make_shared<app_server::state>();
  st->app = &app;
  std::string host(opts.host);
  if (hooks) {
    std::exception_ptr failure;
    try {
      co_await run_hooks(app, app.on_startup());
    } catch (const std::exception&) {
      failure = std::current_exception();
    }
    if (failure) {
      co_await run_cleanup(app);
      std::rethrow_exception(failure);
    }
    st->hooks = true;
  }
  std::exception_ptr failure;
  try {
    st->site = co_await start_site(app, opts, host);
  } catch (const std::exception&) {
    failure = std::current_exception();
  }
  if (failure) {
    if (hooks) co_await run_cleanup(app);
    std::rethrow_exception(failure);
  }
  co_return app_server(st);
}

namespace {

/// The workers' shared state: the loops to wake at shutdown.
struct worker_control {
  std::mutex mutex;
  std::vector<event_loop*> loops;  // guarded; nullptr once a worker's loop is gone
  std::vector<event*> stops;       // guarded; each worker's stop event (lives in its frame)
  bool stopping = false;           // guarded
  std::exception_ptr failure;      // guarded: the first worker that could not start
};

coro<> worker_main(application& app, serve_options opts, std::string host, worker_control& ctl,
                   std::size_t index) {
  event stop;
  std::shared_ptr<site> s;
  {
    std::lock_guard lock(ctl.mutex);
    ctl.loops[index] = &get_running_loop();
    ctl.stops[index] = &stop;
    if (ctl.stopping) stop.set();
  }
  std::exception_ptr failure;
  try {
    s = co_await start_site(app, opts, host);
  } catch (const std::exception&) {
    failure = std::current_exception();
  }
  if (!failure) {
    co_await stop.wait();
    co_await stop_site(s);
  }
  std::lock_guard lock(ctl.mutex);
  ctl.loops[index] = nullptr;
  ctl.stops[index] = nullptr;
  if (failure && !ctl.failure) ctl.failure = failure;
}

void request_stop(worker_control& ctl) {
  std::lock_guard lock(ctl.mutex);
  ctl.stopping = true;
  for (std::size_t i = 0; i < ctl.loops.size(); ++i) {
    if (ctl.loops[i] == nullptr) continue;
    event* ev = ctl.stops[i];
    ctl.loops[i]->call_soon_threadsafe([ev] { ev->set(); });
  }
}

}  // namespace

coro<> run_app_impl(application& app, serve_options opts) {
  event_loop& loop = get_running_loop();
  app_server main_server = co_await serve_impl(app, opts, true);
  const std::uint16_t port = main_server.port();
  std::string host(opts.host);
  worker_control ctl;
  std::vector<std::thread> threads;
  const std::size_t extra = opts.workers > 1 ? opts.workers - 1 : 0;
  ctl.loops.resize(extra, nullptr);
  ctl.stops.resize(extra, nullptr);
  serve_options wopts = opts;
  wopts.port = port;  // port 0: every worker shares the first one's port
  wopts.reuse_port = true;
  for (std::size_t i = 0; i < extra; ++i) {
    threads.emplace_back([&app, wopts, host, &ctl, i] {
      try {
        aio::run(worker_main(app, wopts, host, ctl, i), {.handle_sigint = false});
      } catch (...) {  // NOLINT(bugprone-empty-catch): worker_main records its own failure
      }
    });
  }
  if (opts.print) {
    std::fprintf(stderr, "======== Running on http://%s:%u (%u worker%s) ========\n(Press CTRL+C to quit)\n",
                 host.empty() ? "0.0.0.0" : host.c_str(), port, opts.workers == 0 ? 1U : opts.workers,
                 opts.workers > 1 ? "s" : "");
  }
  event stop;
  if (opts.handle_signals) {
    loop.add_signal_handler(SIGINT, [&stop] { stop.set(); });
    loop.add_signal_handler(SIGTERM, [&stop] { stop.set(); });
  }
  bool cancelled = false;
  try {
    co_await stop.wait();
  } catch (const cancelled_error&) {
    cancelled = true;
  }
  if (opts.handle_signals) {
    loop.remove_signal_handler(SIGINT);
    loop.remove_signal_handler(SIGTERM);
  }
  request_stop(ctl);
  co_await main_server.shutdown();
  if (!threads.empty()) {
    co_await to_thread([&threads] {
      for (auto& t : threads) t.join();
    });
  }
  if (cancelled) throw cancelled_error();
}

}  // namespace detail

}  // namespace aio::http
