#pragma once
// The per-event-loop part of a running server (private): the listening server, the open HTTP
// connections, and the sweeper that enforces timeouts and notices vanished clients.

#include <cstddef>
#include <memory>
#include <string>

#include "../parser.hpp"
#include "aio/http/server/application.hpp"
#include "aio/http/server/run_app.hpp"
#include "aio/net/server.hpp"
#include "aio/task/task.hpp"
#include "aio/time/clock.hpp"
#include "log_limiter.hpp"
#include "request_metrics.hpp"

namespace aio::http::detail {

class http_connection;

struct site : std::enable_shared_from_this<site> {
  application* app = nullptr;
  serve_options opts;
  std::string host;  // opts.host points here
  parser_limits limits;
  aio::server srv;
  http_connection* conns = nullptr;  // intrusive list of open connections
  std::size_t conn_count = 0;
  clock::time_point coarse_now{};  // refreshed by the sweeper: deadlines cost no clock read
  clock::duration sweep_interval{};
  task<> sweeper;
  bool shutting_down = false;
  log_limiter logs;                                // the connections' error lines, rate-limited per kind
  std::unique_ptr<request_metrics> metrics;        // sized when the site starts (the routes are fixed)
  std::shared_ptr<aio::metrics::lag_monitor> lag;  // the loop's lag, for /metrics and the dashboard

  void link(http_connection* c) noexcept;
  void unlink(http_connection* c) noexcept;
  /// One sweeper pass: time out idle / slow connections, cancel handlers of vanished clients.
  void sweep();
};

/// Starts listening on the running loop (no hooks). `port` overrides opts.port (workers share one).
coro<std::shared_ptr<site>> start_site(application& app, serve_options opts, std::string host);
/// Graceful stop of one site (no hooks).
coro<> stop_site(std::shared_ptr<site> s);

}  // namespace aio::http::detail
