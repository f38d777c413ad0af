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
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
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

/// How a pipelined batch ended (execute_many): the first error and which command raised it.
struct batch_outcome {
  std::size_t command = 0;  ///< the command whose results come next (the prepare, if any, is 0)
  std::exception_ptr error;
  std::size_t failed_command = 0;
};

class connection_state : public std::enable_shared_from_this<connection_state> {
 public:
  connection_state(event_loop& loop, PGconn* conn, std::size_t statement_cache_size) noexcept;
  connection_state(const connection_state&) = delete;
  connection_state& operator=(const connection_state&) = delete;
  ~connection_state();

  /// Runs the handshake; throws connection_error.
  static coro<std::shared_ptr<connection_state>> open(std::string dsn, std::size_t statement_cache_size);

  /// Sends one request and collects its results (the last one's rows and status). A `with_params`
  /// request goes through the statement cache when it is enabled.
  coro<query_result> query(query_request rq);

  /// executemany: the statement once per row, in one pipeline (one round trip, one Sync).
  coro<> execute_many(batch_request rq);

  /// The pool's reset (asyncpg's Connection.reset): sends ROLLBACK (if in a transaction) and
  /// `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` without waiting; listeners
  /// are ended. False when it cannot be sent (the caller closes the connection).
  bool start_reset() noexcept;
  [[nodiscard]] bool reset_pending() const noexcept { return m_reset_pending; }
  /// Collects the reset's reply; throws its error (the caller closes the connection).
  coro<> finish_reset();
  /// Reads what the server sent an idle connection (without waiting): false once it is closed or
  /// lost (the server ended the session: restart, pg_terminate_backend).
  bool check_alive() noexcept;

  /// Statements the cache holds (for tests and diagnostics).
  [[nodiscard]] std::size_t cached_statements() const noexcept { return m_lru.size(); }

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
  /// Collects a pipeline's results up to its Sync.
  coro<> collect_batch(batch_outcome& out);
  /// After a cancelled query: asks the server to cancel and drains the reply (up to the Sync and out
  /// of pipeline mode for a batch); closes on failure.
  coro<> cancel_and_drain(bool pipeline);
  /// One request and its reply, with cancellation handled (the connection stays clean or closes).
  coro<query_result> exchange(const query_request& rq);
  /// The statement cache: `sql` run through its cached (or newly prepared) named statement.
  coro<query_result> cached_query(const query_request& rq);
  /// The cached statement's name for `sql`, preparing it on a miss.
  coro<std::string> statement_for(const std::string& sql);
  /// A cache hit moves the entry to the front; nullptr on a miss.
  const std::string* cache_lookup(const std::string& sql);
  void cache_insert(const std::string& sql, const std::string& name);
  /// Drops `sql`'s entry (if any); its statement is deallocated before the next prepare.
  void cache_drop(const std::string& sql);
  /// Evicts the least recently used entries until one more fits, then DEALLOCATEs the evicted ones.
  coro<> make_room();
  /// One pipeline: optional prepare, one execution per row, Sync; cancellation handled.
  coro<> run_batch(const batch_request& rq, const std::string& name, bool prepare, batch_outcome& out);
  void send_batch(const batch_request& rq, const std::string& name, bool prepare);
  std::exception_ptr error_of(PGresult* r) const;
  void send(const query_request& rq);
  void take_result(PGresult* r, query_result& out, std::exception_ptr& error);
  [[noreturn]] void throw_lost();
  void check_usable() const;
  void dispatch_notifications();
  void watch_idle() noexcept;
  void unwatch_idle() noexcept;
  void on_idle_readable() noexcept;
  void end_listeners(const std::string& reason) noexcept;
  /// libpq's notice receiver: prints notices as libpq's default does, and notes a FATAL one (what a
  /// terminated backend sends an idle session before it closes the socket).
  static void on_notice(void* self, const PGresult* r) noexcept;

  friend class busy_scope;
  event_loop* m_loop;
  PGconn* m_conn;
  bool m_busy = false;
  bool m_lost = false;
  bool m_watching = false;  // add_reader is set on m_watched_fd
  int m_watched_fd = -1;
  bool m_reset_pending = false;
  bool m_server_gone = false;  // the server sent a FATAL notice: it is ending the session  // start_reset
                               // sent a reset whose reply finish_reset has not read
  std::size_t m_statements = 0;
  std::size_t m_tx_depth = 0;
  struct cache_entry {
    std::string sql;
    std::string name;
  };
  std::size_t m_cache_capacity;
  std::list<cache_entry> m_lru;  // most recently used first
  std::unordered_map<std::string, std::list<cache_entry>::iterator> m_cache_index;
  std::vector<std::string> m_to_deallocate;  // evicted or invalidated, still on the server
  std::vector<std::shared_ptr<listener_state>> m_listeners;
};

}  // namespace aio::pg::detail
