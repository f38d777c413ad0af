// aio::sqlite::value, row and cursor: the out-of-line parts (messages and lookups).

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <exception>

#include "aio/sqlite/cursor.hpp"
#include "aio/sqlite/error.hpp"
#include "aio/sqlite/row.hpp"
#include "aio/sqlite/value.hpp"

namespace aio::sqlite {

const char* to_string(value_type t) noexcept {
  switch (t) {
    case value_type::null:
      return "NULL";
    case value_type::integer:
      return "INTEGER";
    case value_type::real:
      return "REAL";
    case value_type::text:
      return "TEXT";
    case value_type::blob:
      return "BLOB";
  }
  return "?";
}

namespace detail {
void throw_mismatch(value_type have, const char* want) {
  std::string msg = "aio::sqlite: the value is ";
  msg += to_string(have);
  msg += ", not ";
  msg += want;
  if (have == value_type::null) msg += " (read a nullable column as std::optional<T>)";
  throw type_error(msg, SQLITE_MISMATCH, SQLITE_MISMATCH, "");
}
void throw_out_of_range(const std::string& v, const char* want) {
  throw type_error("aio::sqlite: the integer " + v + " does not fit " + want, SQLITE_MISMATCH,
                   SQLITE_MISMATCH, "");
}
}  // namespace detail

namespace {
const std::vector<std::string>& no_columns() {
  static const std::vector<std::string> none;
  return none;
}
[[noreturn]] void throw_column(const std::string& msg) {
  throw programming_error(msg, SQLITE_RANGE, SQLITE_RANGE, "");
}
bool same_ascii_nocase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}
}  // namespace

const std::vector<std::string>& row::keys() const noexcept { return m_columns ? *m_columns : no_columns(); }

const value& row::operator[](std::size_t i) const {
  if (i >= m_values.size()) {
    throw_column("aio::sqlite: no column " + std::to_string(i) + " in a row of " +
                 std::to_string(m_values.size()));
  }
  return m_values[i];
}

const value& row::operator[](std::string_view name) const { return m_values[index_of(name)]; }

std::size_t row::index_of(std::string_view name) const {
  const auto& k = keys();
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (k[i] == name) return i;
  }
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (same_ascii_nocase(k[i], name)) return i;
  }
  std::string msg = "aio::sqlite: no column named '" + std::string(name) + "' (the columns are:";
  for (const auto& c : k) msg += " '" + c + "'";
  throw_column(msg + ")");
}

void row::rethrow_with_column(std::size_t i) const {
  try {
    throw;
  } catch (const type_error& e) {
    const auto& k = keys();
    const std::string name = i < k.size() ? "'" + k[i] + "'" : std::to_string(i);
    throw type_error(std::string(e.what()) + " (column " + name + ")", e.code(), e.extended_code(), e.sql());
  }
}

const std::vector<std::string>& cursor::columns() const noexcept {
  return m_r.columns ? *m_r.columns : no_columns();
}

detail::ready_value<std::optional<row>> cursor::fetchone() {
  if (m_next >= m_r.rows.size()) return detail::ready_value<std::optional<row>>(std::nullopt);
  return detail::ready_value<std::optional<row>>(std::move(m_r.rows[m_next++]));
}

detail::ready_value<std::vector<row>> cursor::fetchmany(std::size_t n) {
  const std::size_t end = m_next + std::min(n, m_r.rows.size() - std::min(m_next, m_r.rows.size()));
  std::vector<row> out(std::make_move_iterator(m_r.rows.begin() + static_cast<std::ptrdiff_t>(m_next)),
                       std::make_move_iterator(m_r.rows.begin() + static_cast<std::ptrdiff_t>(end)));
  m_next = end;
  return detail::ready_value<std::vector<row>>(std::move(out));
}

detail::ready_value<std::vector<row>> cursor::fetchall() { return fetchmany(m_r.rows.size()); }

}  // namespace aio::sqlite
