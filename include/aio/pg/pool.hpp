#pragma once
/// @file pool.hpp
/// `aio::pg::pool` and `aio::pg::create_pool`: a bounded set of connections shared by tasks
/// (asyncpg's `create_pool` and `Pool`).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "aio/pg/connection.hpp"
#include "aio/pg/detail/query.hpp"
#include "aio/pg/detail/query_methods.hpp"
#include "aio/task/coro.hpp"

namespace aio::pg {

namespace detail {
class pool_state;
}

/// `create_pool`'s settings (asyncpg's defaults). Every member is trivially destructible, so the
/// braced form is safe inside `co_await` on g++ 12 (docs/design/compilers.md, Bug 1).
struct pool_options {
  using seconds = std::chrono::duration<double>;
  /// Connections opened by `create_pool`: asyncpg's 10 when left out, lowered to `max_size` if that
  /// is smaller (so `{.max_size = 4}` alone works); an explicit value above `max_size` is an error.
  std::optional<std::size_t> min_size{};
  std::size_t max_size = 10;  ///< at most this many at once; `acquire()` waits beyond
  /// Each connection's statement cache (as `connect_options::statement_cache_size`; 0 disables it).
  std::size_t statement_cache_size = 100;
  /// An idle connection unused for this long is closed (and reopened by a later `acquire()`);
  /// zero keeps idle connections forever.
  seconds max_inactive_connection_lifetime = seconds(300);
  /// How long `acquire()` (and each query method of the pool) waits for a connection, the connecting
  /// included, before `aio::timeout_error`; empty waits forever.
  std::optional<seconds> acquire_timeout{};
};

/// `pool::acquire`'s settings.
struct acquire_options {
  /// Overrides `pool_options::acquire_timeout` for this call.
  std::optional<std::chrono::duration<double>> timeout{};
};

/// A connection borrowed from a pool; the destructor (or `release()`) gives it back. The pool then
/// resets it before another task gets it (asyncpg's `Connection.reset()`): an open transaction is
/// rolled back, then `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` runs, in a
/// task of its own (the permit stays taken until it ends). A connection that is closed or lost, still
/// busy with a query, has listeners, or whose reset fails is closed instead, so no task ever gets a
/// dirty one. Prepared statements (and the statement cache) survive the reset.
class pooled_connection {
 public:
  pooled_connection(std::shared_ptr<detail::pool_state> p, connection c) noexcept
      : m_pool(std::move(p)), m_conn(std::move(c)) {}
  pooled_connection(pooled_connection&& o) noexcept;
  pooled_connection& operator=(pooled_connection&& o) noexcept;
  pooled_connection(const pooled_connection&) = delete;
  pooled_connection& operator=(const pooled_connection&) = delete;
  ~pooled_connection() { release(); }

  connection& operator*() noexcept { return m_conn; }
  connection* operator->() noexcept { return &m_conn; }
  /// Gives the connection back now (idempotent).
  void release() noexcept;

 private:
  std::shared_ptr<detail::pool_state> m_pool;
  connection m_conn;
};

/// The pool: `acquire()`, and the connection's query methods, each on a connection acquired for
/// the call. Copies share the pool.
/// @par Cancellation
/// `acquire()` is cancel-safe (a cancelled wait takes no connection); a cancelled query is cancelled
/// on the server and its connection released clean (or closed).
/// @par Lost connections
/// An idle connection is checked before it is handed out: one the server ended (restart,
/// `pg_terminate_backend`) is closed and replaced by a new one.
/// @par Thread safety
/// Loop thread only.
class pool : public detail::query_methods<pool> {
 public:
  explicit pool(std::shared_ptr<detail::pool_state> s) noexcept : m_state(std::move(s)) {}

  /// A connection, waiting while `max_size` are out (at most `pool_options::acquire_timeout`).
  /// @par Errors
  /// `interface_error` once the pool is closed; `connection_error` when a new connection fails;
  /// `aio::timeout_error` when the timeout passes first.
  coro<pooled_connection> acquire();
  /// As `acquire()`, with `opts.timeout` instead of the pool's: `co_await pool.acquire({.timeout = 1s})`.
  coro<pooled_connection> acquire(acquire_options opts);
  /// Closes the idle connections now and the others when they are released.
  void close() noexcept;
  /// Open connections (idle and acquired).
  [[nodiscard]] std::size_t size() const noexcept;
  /// Open connections not acquired.
  [[nodiscard]] std::size_t idle_size() const noexcept;

 private:
  friend class detail::query_methods<pool>;
  coro<detail::query_result> run_query(detail::query_request rq);
  coro<> run_many(detail::batch_request rq);
  std::shared_ptr<detail::pool_state> m_state;
};

/// Opens `opts.min_size` (default min(10, max_size)) connections to `dsn` (as `connect`) and returns the
/// pool.
/// @par Errors
/// `std::invalid_argument` for max_size 0 or an explicit min_size > max_size; as `connect`.
coro<pool> create_pool(std::string_view dsn, pool_options opts = {});

}  // namespace aio::pg
