// aio::pg::connection: the public face of connection_state.

#include "aio/pg/connection.hpp"

#include <memory>
#include <string>
#include <utility>

#include "aio/pg/errors.hpp"
#include "connection_state.hpp"

namespace aio::pg {

namespace {

/// Keeps the state alive for the whole query, whatever happens to the handle meanwhile.
coro<detail::query_result> query_on(std::shared_ptr<detail::connection_state> c, detail::query_request rq) {
  co_return co_await c->query(std::move(rq));
}

coro<prepared_statement> prepare_on(std::shared_ptr<detail::connection_state> c, std::string sql) {
  detail::query_request rq{
      .kind = detail::request_kind::prepare, .sql = sql, .name = c->next_statement_name()};
  std::string name = rq.name;
  co_await c->query(std::move(rq));
  co_return prepared_statement(std::move(c), std::move(name), std::move(sql));
}

coro<listener> listen_on(std::shared_ptr<detail::connection_state> c, std::string channel) {
  auto state = std::make_shared<detail::listener_state>();
  state->channel = channel;
  state->conn = c;
  const std::string sql = "LISTEN " + c->quote_identifier(channel);
  // Registered before LISTEN is sent, so nothing notified right after it is missed.
  c->add_listener(state);
  std::exception_ptr failure;
  try {
    // A named request, not a braced temporary inside co_await (g++ 12: docs/design/compilers.md).
    detail::query_request rq{.kind = detail::request_kind::simple, .sql = sql};
    co_await c->query(std::move(rq));
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    c->remove_listener(state.get());
    std::rethrow_exception(failure);
  }
  co_return listener(std::move(state));
}

void check_open(const std::shared_ptr<detail::connection_state>& c) {
  if (!c) throw interface_error("aio::pg: the connection was moved from");
}

coro<> many_on(std::shared_ptr<detail::connection_state> c, detail::batch_request rq) {
  co_await c->execute_many(std::move(rq));
}

coro<connection> connect_with(std::string dsn, connect_options opts) {
  auto state = co_await detail::connection_state::open(std::move(dsn), opts.statement_cache_size);
  co_return connection(std::move(state));
}

}  // namespace

connection::~connection() = default;

coro<detail::query_result> connection::run_query(detail::query_request rq) {
  check_open(m_state);
  return query_on(m_state, std::move(rq));
}

coro<> connection::run_many(detail::batch_request rq) {
  check_open(m_state);
  return many_on(m_state, std::move(rq));
}

coro<prepared_statement> connection::prepare(std::string_view sql) {
  check_open(m_state);
  return prepare_on(m_state, std::string(sql));
}

coro<listener> connection::listen(std::string_view channel) {
  check_open(m_state);
  return listen_on(m_state, std::string(channel));
}

void connection::close() noexcept {
  if (m_state) m_state->close();
}

bool connection::is_closed() const noexcept { return !m_state || m_state->is_closed(); }

bool connection::is_in_transaction() const noexcept { return m_state && m_state->in_transaction(); }

int connection::get_server_pid() const noexcept { return m_state ? m_state->server_pid() : 0; }

coro<connection> connect(std::string_view dsn) { return connect_with(std::string(dsn), connect_options{}); }

coro<connection> connect(std::string_view dsn, connect_options opts) {
  return connect_with(std::string(dsn), opts);
}

coro<detail::query_result> prepared_statement::run(detail::params args) {
  return query_on(
      m_conn,
      detail::query_request{.kind = detail::request_kind::prepared, .name = m_name, .args = std::move(args)});
}

}  // namespace aio::pg
