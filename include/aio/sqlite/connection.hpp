#pragma once
/// @file connection.hpp
/// `aio::sqlite::connection` and `aio::sqlite::connect`: an SQLite database driven from the event loop
/// (aiosqlite.Connection, with Python sqlite3's transaction rules).
///
/// Every connection owns one thread that makes all of its SQLite calls, one at a time and in the
/// order they were awaited; the loop only waits for their results (docs/design/sqlite.md).

#include <concepts>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/sqlite/cursor.hpp"
#include "aio/sqlite/options.hpp"
#include "aio/sqlite/row.hpp"
#include "aio/sqlite/value.hpp"
#include "aio/task/coro.hpp"

namespace aio::sqlite {

/// The parameters of one statement, bound to its `?` placeholders in order.
using params = std::vector<value>;

namespace detail {
class core;
/// Turns one element of `executemany`'s range into `params`: a `params`, a tuple, or a range of values.
template <class E>
params to_params(const E& e) {
  if constexpr (std::same_as<E, params>) {
    return e;
  } else if constexpr (requires { std::tuple_size<E>::value; }) {
    return std::apply([](const auto&... v) { return params{value(v)...}; }, e);
  } else {
    params p;
    for (const auto& v : e) p.emplace_back(v);
    return p;
  }
}
}  // namespace detail

/// An open database. Obtained from `co_await aio::sqlite::connect(path)`; move-only.
///
/// As in Python 3.11's sqlite3 (the default `isolation_level`), an INSERT, UPDATE, DELETE or REPLACE
/// outside a transaction first opens one, which lasts until `commit()` or `rollback()`; closing (or
/// destroying) the connection with the transaction open rolls it back. Other statements run as they
/// are. `options::isolation_level = isolation_level::autocommit` selects autocommit mode.
/// @par Cancellation
/// Cancelling a task that awaits a statement calls sqlite3_interrupt for that statement (or drops it
/// if it has not started yet): the statement stops with SQLITE_INTERRUPT on its thread, the task gets
/// `cancelled_error`, and the connection stays usable. As SQLite documents, an interrupted INSERT,
/// UPDATE or DELETE rolls back the whole open transaction. A cancelled `commit()` may still commit.
/// @par Errors
/// `error` (or `integrity_error` for a constraint) from SQLite, with its codes and the SQL;
/// `programming_error` on a closed connection, a wrong number of parameters (checked before the
/// statement runs), or several statements in one `execute`.
/// @par Thread safety
/// Use a connection from its loop's thread. Several tasks may share it: their statements are
/// serialised on its thread and complete in the order they were awaited.
/// @par Example
/// @code
/// auto db = co_await aio::sqlite::connect("app.db");
/// co_await db.execute("INSERT INTO users(name) VALUES (?)", "ada");
/// co_await db.commit();
/// for (const auto& r : co_await db.execute_fetchall("SELECT id, name FROM users"))
///   std::cout << r.get<int>("id") << ' ' << r.get<std::string>("name") << '\n';
/// co_await db.close();
/// @endcode
class connection {
 public:
  connection() = default;  ///< a closed connection
  explicit connection(std::shared_ptr<detail::core> core) noexcept;
  connection(connection&& o) noexcept;
  connection& operator=(connection&& o) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  /// Closes the connection if `close()` was not awaited: interrupts a running statement, drops the
  /// queued ones (their awaiters get `programming_error`), joins the thread and rolls back an open
  /// transaction. Blocks the loop only for the interrupt to take effect.
  ~connection();

  /// Runs one statement with `args` bound to its `?` placeholders (see `value` for the C++ types).
  template <class... Args>
  requires(std::constructible_from<value, Args&&>&&...)
      [[nodiscard]] coro<cursor> execute(std::string sql, Args&&... args) {
    return execute(std::move(sql), params{value(std::forward<Args>(args))...});
  }
  /// Runs one statement with `p` bound to its placeholders.
  [[nodiscard]] coro<cursor> execute(std::string sql, params p);

  /// Runs one statement once per element of `rows` (each a `params`, a `std::tuple`, or a range of
  /// values); `rowcount()` is the sum. On a failure the rows before it stay executed: in the open
  /// transaction by default (so `commit()` keeps them and `rollback()` drops them), committed in
  /// autocommit mode.
  template <std::ranges::input_range R>
  [[nodiscard]] coro<cursor> executemany(std::string sql, const R& rows) {
    std::vector<params> all;
    if constexpr (std::ranges::sized_range<const R>) all.reserve(std::ranges::size(rows));
    for (const auto& e : rows) all.push_back(detail::to_params(e));
    return executemany_params(std::move(sql), std::move(all));
  }
  /// `executemany` for prepared parameter lists.
  [[nodiscard]] coro<cursor> executemany_params(std::string sql, std::vector<params> rows);

  /// `execute` and `fetchall` in one call (aiosqlite's execute_fetchall).
  template <class... Args>
  requires(std::constructible_from<value, Args&&>&&...)
      [[nodiscard]] coro<std::vector<row>> execute_fetchall(std::string sql, Args&&... args) {
    return execute_fetchall(std::move(sql), params{value(std::forward<Args>(args))...});
  }
  [[nodiscard]] coro<std::vector<row>> execute_fetchall(std::string sql, params p);

  /// Every row of one statement: `execute_fetchall` under the name API.md lists (aiosqlite has only
  /// the cursor's `fetchall`; this saves naming a cursor for a one-off query).
  /// @par Errors
  /// As `execute`.
  /// @par Example
  /// @code
  /// for (const auto& r : co_await db.fetchall("SELECT name FROM users WHERE karma > ?", 1.0)) ...
  /// @endcode
  template <class... Args>
  requires(std::constructible_from<value, Args&&>&&...)
      [[nodiscard]] coro<std::vector<row>> fetchall(std::string sql, Args&&... args) {
    return execute_fetchall(std::move(sql), params{value(std::forward<Args>(args))...});
  }
  [[nodiscard]] coro<std::vector<row>> fetchall(std::string sql, params p);

  /// The first row of one statement, or `std::nullopt` when it returns none (aiosqlite's
  /// `await (await db.execute(sql)).fetchone()` in one call). The statement still runs to its end on
  /// the connection's thread, as `execute` does (a DML ... RETURNING applies to every row): put a
  /// `LIMIT 1` in a query whose other rows are not wanted.
  /// @par Errors
  /// As `execute`.
  /// @par Example
  /// @code
  /// if (auto r = co_await db.fetchone("SELECT karma FROM users WHERE name = ?", "ada")) ...
  /// @endcode
  template <class... Args>
  requires(std::constructible_from<value, Args&&>&&...)
      [[nodiscard]] coro<std::optional<row>> fetchone(std::string sql, Args&&... args) {
    return fetchone(std::move(sql), params{value(std::forward<Args>(args))...});
  }
  [[nodiscard]] coro<std::optional<row>> fetchone(std::string sql, params p);

  /// Commits an open transaction, then runs `script` (several statements, no parameters), as
  /// sqlite3's executescript.
  [[nodiscard]] coro<> executescript(std::string script);

  /// Commits the open transaction, if any.
  [[nodiscard]] coro<> commit();
  /// Rolls the open transaction back, if any.
  [[nodiscard]] coro<> rollback();
  /// Closes the database (an open transaction is rolled back) and joins the connection's thread once
  /// the statements awaited before it have run. Idempotent. Later calls throw `programming_error`.
  [[nodiscard]] coro<> close();

  /// Whether a transaction is open, as of the last statement that completed.
  [[nodiscard]] bool in_transaction() const noexcept;
  /// Whether `close()` was called (or the connection was moved from or default-constructed).
  [[nodiscard]] bool is_closed() const noexcept;

 private:
  std::shared_ptr<detail::core> m_core;
};

/// Opens (creating it if needed) the database at `path` ("" or ":memory:" for a private in-memory
/// one) on a new connection thread (aiosqlite.connect).
/// @par Errors
/// `error` when SQLite cannot open it (e.g. SQLITE_CANTOPEN for a missing directory).
/// @par Cancellation
/// Cancelling drops the connection; its thread is joined.
[[nodiscard]] coro<connection> connect(std::string path, options opts = {});

}  // namespace aio::sqlite
