#pragma once
/// @file pool.hpp
/// `aio::pg::pool` and `aio::pg::create_pool`: a bounded set of connections shared by tasks
/// (asyncpg's `create_pool` and `Pool`).

#include <cstddef>
#include <memory>
#include <string_view>

#include "aio/pg/connection.hpp"
#include "aio/pg/detail/query.hpp"
#include "aio/pg/detail/query_methods.hpp"
#include "aio/task/coro.hpp"

namespace aio::pg {

namespace detail {
class pool_state;
}

/// `create_pool`'s settings (asyncpg's defaults: 10 and 10).
struct pool_options {
  std::size_t min_size = 10;  ///< connections opened by `create_pool` and kept open
  std::size_t max_size = 10;  ///< at most this many at once; `acquire()` waits beyond
};

/// A connection borrowed from a pool; the destructor (or `release()`) gives it back. A connection
/// given back closed, busy, inside a transaction or with listeners is closed rather than reused, so
/// no task ever gets a dirty one.
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
/// @par Thread safety
/// Loop thread only.
class pool : public detail::query_methods<pool> {
 public:
  explicit pool(std::shared_ptr<detail::pool_state> s) noexcept : m_state(std::move(s)) {}

  /// A connection, waiting while `max_size` are out.
  /// @par Errors
  /// `interface_error` once the pool is closed; `connection_error` when a new connection fails.
  coro<pooled_connection> acquire();
  /// Closes the idle connections now and the others when they are released.
  void close() noexcept;
  /// Open connections (idle and acquired).
  [[nodiscard]] std::size_t size() const noexcept;
  /// Open connections not acquired.
  [[nodiscard]] std::size_t idle_size() const noexcept;

 private:
  friend class detail::query_methods<pool>;
  coro<detail::query_result> run_query(detail::query_request rq);
  std::shared_ptr<detail::pool_state> m_state;
};

/// Opens `opts.min_size` connections to `dsn` (as `connect`) and returns the pool.
/// @par Errors
/// `std::invalid_argument` for max_size 0 or min_size > max_size; as `connect`.
coro<pool> create_pool(std::string_view dsn, pool_options opts = {});

}  // namespace aio::pg
