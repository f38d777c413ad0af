// aio::pg::listener: a queue of notifications fed by connection_state.

#include "aio/pg/listener.hpp"

#include <exception>
#include <string>
#include <utility>

#include "aio/errors.hpp"
#include "aio/pg/errors.hpp"
#include "connection_state.hpp"

namespace aio::pg {

namespace {

void detach(const std::shared_ptr<detail::listener_state>& s) noexcept {
  if (!s) return;
  if (auto c = s->conn.lock()) c->remove_listener(s.get());
  s->conn.reset();
}

coro<notification> next_on(std::shared_ptr<detail::listener_state> s) {
  bool ended = false;
  notification out;
  try {
    out = co_await s->queue.get();
  } catch (const queue_shut_down&) {
    ended = true;
  }
  if (ended) {
    throw interface_error(s->end_reason.empty() ? "aio::pg: the listener was closed" : s->end_reason);
  }
  co_return out;
}

coro<> unlisten_on(std::shared_ptr<detail::listener_state> s) {
  auto c = s->conn.lock();
  s->conn.reset();
  if (s->end_reason.empty()) s->end_reason = "aio::pg: the listener was closed (unlisten)";
  s->queue.shutdown();
  if (c && c->remove_listener(s.get()) && !c->is_closed()) {
    const std::string sql = "UNLISTEN " + c->quote_identifier(s->channel);
    // A named request, not a braced temporary inside co_await (g++ 12: docs/design/compilers.md).
    detail::query_request rq{.kind = detail::request_kind::simple, .sql = sql};
    co_await c->query(std::move(rq));
  }
}

}  // namespace

listener& listener::operator=(listener&& o) noexcept {
  if (this != &o) {
    detach(m_state);
    m_state = std::move(o.m_state);
  }
  return *this;
}

listener::~listener() { detach(m_state); }

const std::string& listener::channel() const {
  if (!m_state) throw interface_error("aio::pg: the listener was moved from");
  return m_state->channel;
}

coro<notification> listener::next() {
  if (!m_state) throw interface_error("aio::pg: the listener was moved from");
  return next_on(m_state);
}

coro<> listener::unlisten() {
  if (!m_state) throw interface_error("aio::pg: the listener was moved from");
  return unlisten_on(m_state);
}

}  // namespace aio::pg
