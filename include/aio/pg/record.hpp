#pragma once
/// @file record.hpp
/// `aio::pg::record`: one result row (asyncpg's `Record`), fields by index or by column name.

#include <concepts>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/pg/value.hpp"

namespace aio::pg {

/// One row: the fields in column order, and the column names (shared by the rows of one result).
class record {
 public:
  record() = default;
  record(std::shared_ptr<const std::vector<std::string>> columns, std::vector<value> values)
      : m_columns(std::move(columns)), m_values(std::move(values)) {}

  [[nodiscard]] std::size_t size() const noexcept { return m_values.size(); }
  /// The column names, in order.
  [[nodiscard]] const std::vector<std::string>& columns() const;

  /// The field at `i`. @par Errors `conversion_error` for an index past the end.
  /// (A template so that `rec[0]` does not also match the `const char*` overload.)
  template <std::integral I>
  [[nodiscard]] const value& operator[](I i) const {
    return at(static_cast<std::size_t>(i));
  }
  /// The field of column `name` (the first one of that name). @par Errors `conversion_error` naming
  /// the columns there are, for an unknown name.
  [[nodiscard]] const value& operator[](std::string_view name) const;
  [[nodiscard]] const value& operator[](const char* name) const { return (*this)[std::string_view(name)]; }

  /// `(*this)[key].get<T>()`, with the column in the error message.
  template <class T, class Key>
  [[nodiscard]] T get(const Key& key) const {
    const value& v = (*this)[key];
    try {
      return v.template get<T>();
    } catch (const conversion_error& e) {
      throw_in_column(e, column_of(key));
    }
  }

 private:
  [[nodiscard]] const value& at(std::size_t i) const;
  template <std::integral I>
  [[nodiscard]] std::string column_of(I i) const {
    return column_name(static_cast<std::size_t>(i));
  }
  [[nodiscard]] std::string column_name(std::size_t i) const;
  [[nodiscard]] static std::string column_of(std::string_view name) { return std::string(name); }
  [[nodiscard]] static std::string column_of(const char* name) { return name; }
  [[noreturn]] static void throw_in_column(const conversion_error& e, const std::string& column);

  std::shared_ptr<const std::vector<std::string>> m_columns;
  std::vector<value> m_values;
};

}  // namespace aio::pg
