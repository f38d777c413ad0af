#pragma once
// One libpq session driven by the loop.
//
// States: open (m_conn set, status OK), lost (libpq saw the socket fail: every call throws) and
// closed (m_conn null). One operation at a time (m_busy): a query owns the socket while it runs; when
// the connection is idle and has listeners, the socket is watched with loop.add_reader instead so
// notifications arrive between queries (the two never overlap: a query removes the reader first).
// Waits on the socket register it with the loop for that wait only, because libpq may replace the
// socket while connecting (another address, an SSL retry) and closes it when the connection fails.

#include <libpq-fe.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "aio/pg/detail/query.hpp"
#include "aio/pg/notification.hpp"
#include "aio/queue/queue.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/task/coro.hpp"

namespace aio::pg::detail {

class connection_state;

struct listener_state {
  std::string channel;
  aio::queue<notification> queue;
  std::weak_ptr<connection_state> conn;
  std::string end_reason;  // why next() ends once the queue is drained
};

class connection_state : public std::enable_shared_from_this<connection_state> {
 public:
  connection_state(event_loop& loop, PGconn* conn) noexcept;
  connection_state(const connection_state&) = delete;
  connection_state& operator=(const connection_state&) = delete;
  ~connection_state();

  /// Runs the handshake; throws connection_error.
  static coro<std::shared_ptr<connection_state>> open(std::string dsn);

  /// Sends one request and collects its results (the last one's rows and status).
  coro<query_result> query(query_request rq);

  void close() noexcept;
  [[nodiscard]] bool is_closed() const noexcept;
  [[nodiscard]] bool is_busy() const noexcept { return m_busy; }
  [[nodiscard]] bool in_transaction() const noexcept;
  [[nodiscard]] bool has_listeners() const noexcept { return !m_listeners.empty(); }
  [[nodiscard]] int server_pid() const noexcept;

  std::string next_statement_name() { return "aio_stmt_" + std::to_string(++m_statements); }
  std::string quote_identifier(const std::string& name) const;

  std::size_t& transaction_depth() noexcept { return m_tx_depth; }

  void add_listener(const std::shared_ptr<listener_state>& l);
  /// Removes `l`; true if no other listener uses its channel.
  bool remove_listener(const listener_state* l) noexcept;

 private:
  /// Waits until the socket is readable (or writable); cancellation throws cancelled_error.
  coro<> wait_socket(bool write);
  coro<> flush();
  coro<> collect(query_result& out, std::exception_ptr& error);
  /// After a cancelled query: asks the server to cancel and drains the reply; closes on failure.
  coro<> cancel_and_drain();
  void send(const query_request& rq);
  void take_result(PGresult* r, query_result& out, std::exception_ptr& error);
  [[noreturn]] void throw_lost();
  void check_usable() const;
  void dispatch_notifications();
  void watch_idle() noexcept;
  void unwatch_idle() noexcept;
  void on_idle_readable() noexcept;
  void end_listeners(const std::string& reason) noexcept;

  friend class busy_scope;
  event_loop* m_loop;
  PGconn* m_conn;
  bool m_busy = false;
  bool m_lost = false;
  bool m_watching = false;  // add_reader is set on m_watched_fd
  int m_watched_fd = -1;
  std::size_t m_statements = 0;
  std::size_t m_tx_depth = 0;
  std::vector<std::shared_ptr<listener_state>> m_listeners;
};

}  // namespace aio::pg::detail
