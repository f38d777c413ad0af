#pragma once
/// @file cursor.hpp
/// `aio::sqlite::cursor`: the result of one `execute` (aiosqlite.Cursor).

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aio/sqlite/row.hpp"

namespace aio::sqlite {

namespace detail {
/// An awaitable that is ready at once with a value: the cursor's fetches keep aiosqlite's
/// `await cursor.fetchone()` spelling although the rows are already on the loop thread.
template <class T>
class ready_value {
 public:
  explicit ready_value(T v) noexcept(std::is_nothrow_move_constructible_v<T>) : m_v(std::move(v)) {}
  [[nodiscard]] bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<> /*unused*/) const noexcept {}
  T await_resume() noexcept(std::is_nothrow_move_constructible_v<T>) { return std::move(m_v); }

 private:
  T m_v;
};

/// What one statement produced on the connection's thread.
struct statement_result {
  std::shared_ptr<const std::vector<std::string>> columns;
  std::vector<row> rows;
  std::int64_t rowcount = -1;
  std::int64_t lastrowid = 0;
};
}  // namespace detail

/// The rows and counts of one `execute`/`executemany`.
///
/// `execute` runs the statement to its end on the connection's thread and hands the whole result to
/// the cursor, so fetching never goes back to that thread: `fetchone`/`fetchmany`/`fetchall` complete
/// at once (they are awaitable to keep aiosqlite's spelling). See docs/design/sqlite.md for why.
/// @par Thread safety
/// A plain value; use it on one thread at a time.
class cursor {
 public:
  cursor() = default;
  explicit cursor(detail::statement_result r) noexcept : m_r(std::move(r)) {}

  /// The next row, or `std::nullopt` when all were fetched.
  [[nodiscard]] detail::ready_value<std::optional<row>> fetchone();
  /// Up to `n` next rows (fewer at the end, none after it).
  [[nodiscard]] detail::ready_value<std::vector<row>> fetchmany(std::size_t n);
  /// All the rows not fetched yet.
  [[nodiscard]] detail::ready_value<std::vector<row>> fetchall();

  /// The rows an INSERT, UPDATE, DELETE or REPLACE changed (summed by `executemany`); -1 for other
  /// statements, as in Python.
  [[nodiscard]] std::int64_t rowcount() const noexcept { return m_r.rowcount; }
  /// The rowid of the last row inserted on the connection (sqlite3_last_insert_rowid).
  [[nodiscard]] std::int64_t lastrowid() const noexcept { return m_r.lastrowid; }
  /// The result's column names; empty for a statement that returns no rows (Python's `description`).
  [[nodiscard]] const std::vector<std::string>& columns() const noexcept;

 private:
  detail::statement_result m_r;
  std::size_t m_next = 0;
};

}  // namespace aio::sqlite
