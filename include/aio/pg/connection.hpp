#pragma once
/// @file connection.hpp
/// `aio::pg::connection` and `aio::pg::connect`: one PostgreSQL session on libpq's non-blocking API,
/// driven by the event loop (asyncpg's `connect` and `Connection`). docs/design/postgres.md says why.

#include <concepts>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "aio/pg/detail/query.hpp"
#include "aio/pg/detail/query_methods.hpp"
#include "aio/pg/detail/transaction.hpp"
#include "aio/pg/listener.hpp"
#include "aio/pg/prepared_statement.hpp"
#include "aio/task/coro.hpp"

namespace aio::pg {

namespace detail {
class connection_state;
}

/// `connect`'s settings (asyncpg's defaults). Trivially destructible: safe braced inside `co_await`
/// on g++ 12 (docs/design/compilers.md, Bug 1).
struct connect_options {
  /// How many statements with parameters the connection keeps prepared (asyncpg's
  /// `statement_cache_size`): `fetch(sql, args...)` prepares `sql` once, then only binds and runs
  /// the named statement. Least recently used ones are deallocated beyond this; 0 disables the cache
  /// (each call is then parsed and planned anew, in one round trip).
  std::size_t statement_cache_size = 100;
};

/// A session: `execute`, `executemany`, `fetch`, `fetchrow`, `fetchval` (detail/query_methods.hpp),
/// `transaction`, `prepare`, `listen`. Parameters are $1, $2, ... bound from C++ values (integers, double,
/// bool, strings, std::nullopt or an empty std::optional for NULL), sent in the text format. Movable; the
/// session ends when the last of the connection, its statements and listeners is gone, or at `close()`.
/// @par Cancellation
/// Cancelling a running query sends the server a cancel request (on a worker thread: libpq's
/// `PQcancel` blocks) and drains the rest of the reply, so the connection stays usable; the awaiter
/// gets `cancelled_error`. If that clean-up is itself interrupted, the connection is closed.
/// @par Statement cache
/// `fetch`/`fetchrow`/`fetchval`/`execute` with arguments go through a per-connection LRU cache of
/// prepared statements (`connect_options::statement_cache_size`). A cached statement that a schema
/// change invalidated ("cached plan must not change result type", SQLSTATE 0A000) is dropped and,
/// outside a transaction, prepared again and rerun once, transparently; inside one the error
/// propagates (the transaction is aborted anyway), as asyncpg's `InvalidCachedStatementError`.
/// @par Errors
/// `postgres_error` for what the server rejects (sqlstate(), message(), detail()); `interface_error`
/// for a closed or lost connection or a second operation while one runs (one at a time, as asyncpg).
/// @par Thread safety
/// Loop thread only (the loop that connected).
class connection : public detail::query_methods<connection> {
 public:
  explicit connection(std::shared_ptr<detail::connection_state> s) noexcept : m_state(std::move(s)) {}
  connection(connection&&) noexcept = default;
  connection& operator=(connection&&) noexcept = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  /// Runs `body()` (a callable returning `aio::coro<T>`) inside BEGIN ... COMMIT and yields its result;
  /// an exception or a cancellation from the body rolls back and propagates. Inside an open
  /// transaction it uses a savepoint instead.
  /// @par Cancellation
  /// Cancelling the body rolls back before `cancelled_error` propagates (the awaits of the rollback
  /// run after the cancel was delivered; a second cancel during them closes the connection).
  template <class F>
  requires std::invocable<F&> coro<detail::body_result_t<F>> transaction(F body) {
    return detail::run_transaction(m_state, std::move(body));
  }

  /// Prepares `sql` on the server (asyncpg's `prepare`).
  /// @par Errors
  /// `postgres_error` when the statement does not parse.
  coro<prepared_statement> prepare(std::string_view sql);

  /// LISTEN on `channel` (an identifier, quoted for you) and return its notifications.
  coro<listener> listen(std::string_view channel);

  /// Ends the session at once (no await: the server rolls back an open transaction). Idempotent.
  void close() noexcept;
  [[nodiscard]] bool is_closed() const noexcept;
  /// True inside BEGIN ... COMMIT (libpq's transaction status is not idle).
  [[nodiscard]] bool is_in_transaction() const noexcept;
  /// The server process serving this session (`pg_backend_pid()`).
  [[nodiscard]] int get_server_pid() const noexcept;

  /// The shared state (for the pool).
  [[nodiscard]] const std::shared_ptr<detail::connection_state>& state() const noexcept { return m_state; }

 private:
  friend class detail::query_methods<connection>;
  coro<detail::query_result> run_query(detail::query_request rq);
  coro<> run_many(detail::batch_request rq);

  std::shared_ptr<detail::connection_state> m_state;
};

/// Connects (asyncpg's `connect`): `dsn` is a libpq conninfo ("host=/tmp port=5432 dbname=app") or a
/// URI ("postgresql://user@127.0.0.1:5432/app"). The handshake runs on the loop (PQconnectStart and
/// PQconnectPoll); a host *name* is resolved by libpq itself, blocking: pass an IP or a socket
/// directory to avoid that (docs/design/postgres.md).
/// @par Cancellation
/// Cancel-safe: a cancelled connect closes its socket.
/// @par Errors
/// `connection_error` with libpq's reason (refused, authentication failed, database does not exist).
coro<connection> connect(std::string_view dsn);
/// As `connect(dsn)`, with settings: `co_await aio::pg::connect(dsn, {.statement_cache_size = 10})`.
coro<connection> connect(std::string_view dsn, connect_options opts);

}  // namespace aio::pg
