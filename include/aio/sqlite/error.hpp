#pragma once
/// @file error.hpp
/// The exceptions of `aio::sqlite` (Python's sqlite3.Error family, reduced to what C++ code branches on).

#include <stdexcept>
#include <string>

namespace aio::sqlite {

/// A failure reported by SQLite, or a misuse of the API (the subclasses tell which).
///
/// `code()` is SQLite's primary result code (`SQLITE_ERROR` = 1, `SQLITE_CONSTRAINT` = 19, ...),
/// `extended_code()` the extended one (`SQLITE_CONSTRAINT_UNIQUE` = 2067, ...), `sql()` the statement
/// that failed ("" when none). `what()` holds sqlite3_errmsg's text and the SQL.
class error : public std::runtime_error {
 public:
  error(const std::string& message, int code, int extended_code, std::string sql)
      : std::runtime_error(message), m_code(code), m_extended(extended_code), m_sql(std::move(sql)) {}
  [[nodiscard]] int code() const noexcept { return m_code; }
  [[nodiscard]] int extended_code() const noexcept { return m_extended; }
  [[nodiscard]] const std::string& sql() const noexcept { return m_sql; }

 private:
  int m_code;
  int m_extended;
  std::string m_sql;
};

/// A constraint failed: UNIQUE, NOT NULL, CHECK, FOREIGN KEY (sqlite3.IntegrityError).
class integrity_error : public error {
 public:
  using error::error;
};

/// The API was misused: a closed connection, a wrong number of parameters, several statements in one
/// `execute`, an unknown column name or index (sqlite3.ProgrammingError). `code()` is `SQLITE_MISUSE`
/// (21) or `SQLITE_RANGE` (25).
class programming_error : public error {
 public:
  using error::error;
};

/// A value was read as a type it does not hold (`get<int>()` on a text value, or on NULL without
/// `std::optional`). `code()` is `SQLITE_MISMATCH` (20).
class type_error : public error {
 public:
  using error::error;
};

}  // namespace aio::sqlite
