// One loop's server: listening, the connection list, the sweeper, graceful stop.

#include "site.hpp"

#include <algorithm>

#include "aio/combinators/wait_for.hpp"
#include "aio/errors.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/time/sleep.hpp"
#include "connection.hpp"

namespace aio::http::detail {

void site::link(http_connection* c) noexcept {
  c->m_next = conns;
  if (conns != nullptr) conns->m_prev = c;
  conns = c;
  ++conn_count;
  metrics->connection_opened();
}

void site::unlink(http_connection* c) noexcept {
  if (c->m_prev != nullptr) c->m_prev->m_next = c->m_next;
  if (c->m_next != nullptr) c->m_next->m_prev = c->m_prev;
  if (conns == c) conns = c->m_next;
  c->m_prev = c->m_next = nullptr;
  --conn_count;
  metrics->connection_closed();
}

namespace {

/// True when the client closed or reset its side (checked without consuming anything).
bool peer_gone(http_connection& c) {
  aio::detail::stream_transport* t = c.reader().transport();
  if (t->saw_eof() && t->read_buffer().empty()) return true;
  return t->peek() == aio::detail::stream_transport::peek_result::closed;  // a FIN or a reset (or closed)
}

coro<> sweep_loop(site* s) {
  for (;;) {
    co_await sleep(s->sweep_interval);
    s->coarse_now = get_running_loop().time();
    s->sweep();
  }
}

coro<> serve_connection(std::shared_ptr<site> s, stream_reader r, stream_writer w) {
  if (!s) co_return;  // the site is gone (a connection accepted while it was being destroyed)
  http_connection c(std::move(s), std::move(r), std::move(w));
  co_await c.run();
}

}  // namespace

void site::sweep() {
  logs.flush(coarse_now);
  for (http_connection* c = conns; c != nullptr;) {
    http_connection* next = c->m_next;  // stop() only cancels: the list does not change here
    switch (c->m_phase) {
      case http_connection::phase::idle:
      case http_connection::phase::head:
      case http_connection::phase::body:
        if (coarse_now >= c->m_deadline) c->stop(http_connection::stop_reason::timeout);
        break;
      case http_connection::phase::drain:
        if (c->took_output()) {
          c->m_deadline =
              coarse_now + sweep_interval + std::chrono::duration_cast<clock::duration>(opts.send_timeout);
        } else if (coarse_now >= c->m_deadline) {
          c->stop(http_connection::stop_reason::timeout);
        }
        break;
      case http_connection::phase::handler:
        if (opts.handler_cancellation && peer_gone(*c)) c->stop(http_connection::stop_reason::disconnected);
        break;
      case http_connection::phase::busy:
        break;
    }
    c = next;
  }
}

namespace {
coro<std::shared_ptr<site>> start_site_impl(application& app, serve_options opts, std::string host) {
  auto s = std::make_shared<site>();
  s->app = &app;
  s->metrics = std::make_unique<request_metrics>(app.router());
  s->host = std::move(host);
  s->opts = opts;
  s->opts.host = s->host;
  s->limits.max_body = opts.client_max_size;
  s->limits.max_headers_size = opts.max_headers_size;
  const clock::duration shortest = std::chrono::duration_cast<clock::duration>(std::min(
      {opts.keepalive_timeout, opts.request_header_timeout, opts.request_body_timeout, opts.send_timeout}));
  s->sweep_interval =
      std::clamp<clock::duration>(shortest / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
  s->coarse_now = get_running_loop().time();
  server_options so;
  so.backlog = opts.backlog;
  so.reuse_port = opts.reuse_port || opts.workers > 1;
  if (opts.ssl != nullptr) so.ssl = *opts.ssl;
  std::weak_ptr<site> weak = s;
  // The callback holds the site weakly: the site owns the server, which owns the callback.
  client_connected_cb cb = [weak](stream_reader r, stream_writer w) -> coro<> {
    return serve_connection(weak.lock(), std::move(r), std::move(w));
  };
  s->srv = co_await start_server(std::move(cb), s->host, opts.port, std::move(so));
  s->sweeper = get_running_loop().create_task(sweep_loop(s.get()), "aio.http sweeper");
  s->lag = metrics::lag_monitor::shared(get_running_loop());
  co_return s;
}

coro<> stop_site_impl(std::shared_ptr<site> s) {
  s->shutting_down = true;
  s->srv.close();
  // Idle connections close now; busy ones close after their current response.
  for (http_connection* c = s->conns; c != nullptr; c = c->m_next) {
    if (c->m_phase == http_connection::phase::idle || c->m_phase == http_connection::phase::head)
      c->stop(http_connection::stop_reason::shutdown);
  }
  bool timed_out = false;
  try {
    co_await wait_for(s->srv.wait_closed(), s->opts.shutdown_timeout);
  } catch (const timeout_error&) {
    timed_out = true;
  }
  if (timed_out) {
    for (http_connection* c = s->conns; c != nullptr; c = c->m_next) {
      if (c->m_task) c->m_task.cancel("aio.http: shutdown timeout");
    }
    co_await s->srv.wait_closed();
  }
  if (s->sweeper) {
    s->sweeper.cancel();
    try {
      co_await s->sweeper;
    } catch (const cancelled_error&) {  // NOLINT(bugprone-empty-catch): expected
    }
    s->sweeper = {};
  }
  s->logs.flush(get_running_loop().time(), true);
  s->lag.reset();
}
}  // namespace

coro<std::shared_ptr<site>> start_site(application& app, serve_options opts, std::string host) {
  return start_site_impl(app, opts, std::move(host));
}

coro<> stop_site(std::shared_ptr<site> s) { return stop_site_impl(std::move(s)); }

}  // namespace aio::http::detail
