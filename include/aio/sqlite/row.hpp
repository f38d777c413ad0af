#pragma once
/// @file row.hpp
/// `aio::sqlite::row`: one result row, by index or by column name (sqlite3.Row).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/sqlite/value.hpp"

namespace aio::sqlite {

/// One row of a result: its values in column order and the result's column names (shared by all its
/// rows). A plain value type: rows stay valid after the cursor and the connection are gone.
class row {
 public:
  row() = default;
  row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<value> values) noexcept
      : m_columns(std::move(columns)), m_values(std::move(values)) {}

  [[nodiscard]] std::size_t size() const noexcept { return m_values.size(); }
  /// The column names, as the SELECT spelled them (sqlite3.Row.keys()).
  [[nodiscard]] const std::vector<std::string>& keys() const noexcept;

  /// The value in column `i` (0-based). @par Errors `programming_error` when `i >= size()`.
  [[nodiscard]] const value& operator[](std::size_t i) const;
  /// The value in the first column named `name` (exact match, then ASCII case-insensitive as
  /// sqlite3.Row does). @par Errors `programming_error` naming the columns that exist.
  [[nodiscard]] const value& operator[](std::string_view name) const;

  /// `(*this)[i].get<T>()`, with the column named in a type mismatch's message.
  template <class T>
  [[nodiscard]] T get(std::size_t i) const {
    return get_checked<T>(i);
  }
  /// `(*this)[name].get<T>()`, with the column named in a type mismatch's message.
  template <class T>
  [[nodiscard]] T get(std::string_view name) const {
    return get_checked<T>(index_of(name));
  }

  [[nodiscard]] auto begin() const noexcept { return m_values.begin(); }
  [[nodiscard]] auto end() const noexcept { return m_values.end(); }
  [[nodiscard]] const std::vector<value>& values() const noexcept { return m_values; }

  /// Rows compare by their values (as sqlite3.Row compares equal rows).
  friend bool operator==(const row& a, const row& b) noexcept { return a.m_values == b.m_values; }

 private:
  [[nodiscard]] std::size_t index_of(std::string_view name) const;
  /// Rethrows `type_error` from `get` with the column's name added.
  [[noreturn]] void rethrow_with_column(std::size_t i) const;
  template <class T>
  [[nodiscard]] T get_checked(std::size_t i) const {
    const value& v = (*this)[i];
    try {
      return v.get<T>();
    } catch (...) {
      rethrow_with_column(i);
    }
  }

  std::shared_ptr<const std::vector<std::string>> m_columns;
  std::vector<value> m_values;
};

}  // namespace aio::sqlite
