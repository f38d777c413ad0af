// The live dashboard: an aio::http application on the program's own loop, started by aio::run
// through the hook in include/aio/http/server/dashboard.hpp. See docs/design/metrics.md.

#include "aio/http/server/dashboard.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "aio/debug/call_graph.hpp"
#include "aio/http/server/application.hpp"
#include "aio/http/server/metrics_handler.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/server/response.hpp"
#include "aio/http/server/run_app.hpp"
#include "aio/http/server/websocket_response.hpp"
#include "aio/sync/event.hpp"
#include "aio/task/task.hpp"
#include "aio/time/sleep.hpp"
#include "dashboard_page.hpp"
#include "request_metrics.hpp"

namespace aio::http::detail {

namespace {

constexpr std::size_t k_max_tasks = 400;  // tasks listed per update (the page says how many exist)
constexpr auto k_period = std::chrono::milliseconds(500);

struct address {
  std::string host;
  std::uint16_t port = 0;
};

/// "host:port", "[v6]:port", ":port" or "port"; the host defaults to loopback.
address parse_address(std::string_view a) {
  address out{"127.0.0.1", 0};
  std::string_view port = a;
  if (const std::size_t colon = a.rfind(':'); colon != std::string_view::npos) {
    std::string_view host = a.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (!host.empty()) out.host = std::string(host);
    port = a.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    throw std::invalid_argument("the dashboard address is \"host:port\", \":port\" or \"port\", not \"" +
                                std::string(a) + "\"");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

bool is_loopback(std::string_view host) {
  return host.starts_with("127.") || host == "::1" || host == "localhost";
}

std::string hex_id(const void* p) {
  char buf[24];
  const int n = std::snprintf(buf, sizeof buf, "%p", p);
  return {buf, static_cast<std::size_t>(n)};
}

/// Owned by what `start_dashboard` returns, which aio::run releases only after the dashboard's tasks
/// (the server's and its connections') have finished: the application outlives every request.
struct dashboard_state {
  event_loop* loop = nullptr;
  std::string notice;
  application app;
};

/// One update: the loop's counts and lag, its tasks with their direct waiters, the slowest routes.
nlohmann::json snapshot(dashboard_state& st, const task_handle& self) {
  event_loop& loop = *st.loop;
  const metrics::loop_snapshot s = metrics::read_loop(loop);
  metrics::latency_histogram::snapshot lag;
  clock::duration last{};
  metrics::lag_monitor::read(loop, lag, last);
  nlohmann::json j;
  j["pid"] = ::getpid();
  j["backend"] = loop.backend_name();
  j["notice"] = st.notice;
  j["time"] = std::chrono::duration<double>(clock::now().time_since_epoch()).count();
  j["lag_seconds"] = std::chrono::duration<double>(last).count();
  j["lag_count"] = lag.count;
  j["lag_p99_seconds"] = lag.quantile_bound(0.99);
  j["tasks_created"] = s.tasks_created;
  j["live"] = s.live_tasks;
  j["ready"] = s.ready;
  j["timers"] = s.timers;
  j["open_fds"] = s.open_fds;
  nlohmann::json tasks = nlohmann::json::array();
  const std::vector<aio::detail::task_header*> all = loop.tasks();
  for (aio::detail::task_header* t : all) {
    if (tasks.size() >= k_max_tasks) break;
    const task_handle h(t);
    if (h.header() == self.header()) continue;  // this update's own connection
    const call_graph g = capture_call_graph(h);
    nlohmann::json e;
    e["id"] = hex_id(t);
    e["name"] = g.name;
    e["where"] = g.call_stack.empty() ? std::string() : g.call_stack.front().function;
    nlohmann::json waiters = nlohmann::json::array();
    for (const call_graph& w : g.awaited_by)
      waiters.push_back({{"id", hex_id(w.task.header())}, {"via", w.via}});
    e["awaited_by"] = std::move(waiters);
    tasks.push_back(std::move(e));
  }
  j["tasks_truncated"] = all.size() > tasks.size() + 1;
  j["tasks"] = std::move(tasks);
  nlohmann::json routes = nlohmann::json::array();
  for (const route_summary& r : slowest_routes(10)) {
    routes.push_back({{"route", r.route},
                      {"method", r.method},
                      {"count", r.count},
                      {"errors", r.errors},
                      {"mean_seconds", r.mean_seconds},
                      {"p99_bound_seconds", r.p99_bound_seconds}});
  }
  j["routes"] = std::move(routes);
  return j;
}

coro<response> page(request&) {
  response r(200, std::string(k_dashboard_page), "text/html; charset=utf-8");
  r.headers().set("Cache-Control", "no-store");
  co_return r;
}

coro<> serve_dashboard(dashboard_state* st, address where) {
  application& app = st->app;
  // The WebSocket handler runs in its connection's task: the page does not list that task. It ends
  // when the client goes or when aio::run, main done, cancels every task left.
  auto updates = [st](request& req) -> coro<response> {
    websocket_response ws;
    co_await ws.prepare(req);
    task_handle self = current_task();
    self.set_name("aio.dashboard connection");
    while (!ws.closed()) {
      co_await ws.send_str(snapshot(*st, self).dump());
      co_await sleep(k_period);
    }
    co_return ws;
  };
  app.router().add_get("/", page);
  app.router().add_get("/ws", updates);
  app.router().add_get("/metrics", metrics_handler());
  app_server srv;
  try {
    srv = co_await serve(app, {.host = where.host,
                               .port = where.port,
                               .shutdown_timeout = std::chrono::seconds(1),
                               .handle_signals = false});
  } catch (const std::exception& e) {
    std::cerr << "aio: no dashboard: cannot listen on " << where.host << ":" << where.port << ": " << e.what()
              << "\n";
    co_return;
  }
  const bool local = is_loopback(where.host);
  st->notice = local ? "listening on loopback only"
                     : "listening on " + where.host + ": reachable from other machines, unauthenticated";
  std::cerr << "aio: dashboard on http://"
            << (where.host.find(':') != std::string::npos ? "[" + where.host + "]" : where.host) << ":"
            << srv.port() << "/ ("
            << (local ? "loopback only"
                      : "WARNING: not loopback; anyone who can reach it sees task names and routes")
            << ")\n";
  aio::event never;
  bool stopping = false;
  try {
    co_await never.wait();  // until aio::run, main done, cancels the tasks left
  } catch (const cancelled_error&) {
    stopping = true;
  }
  if (stopping) current_task().uncancel();
  co_await srv.shutdown();
}

/// What aio::run keeps while the dashboard may run.
struct dashboard_owner {
  dashboard_state st;
  std::shared_ptr<metrics::lag_monitor> lag;
  task<> server;
  explicit dashboard_owner(event_loop& loop) : lag(metrics::lag_monitor::shared(loop)) { st.loop = &loop; }
};

}  // namespace

std::shared_ptr<void> start_dashboard(event_loop& loop, std::string_view addr) {
  address where = parse_address(addr);
  auto owner = std::make_shared<dashboard_owner>(loop);
  owner->server = loop.create_task(serve_dashboard(&owner->st, std::move(where)), "aio.dashboard");
  return owner;
}

}  // namespace aio::http::detail
