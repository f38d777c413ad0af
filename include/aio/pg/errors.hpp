#pragma once
/// @file errors.hpp
/// The errors of aio::pg, shaped like asyncpg's: `postgres_error` for what the server reports,
/// `interface_error` for client-side misuse and lost connections, `connection_error` when connecting
/// fails, `conversion_error` when a value does not parse as the type asked for.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace aio::pg {

/// An error reported by the server (asyncpg's `PostgresError`): a failed statement or constraint.
class postgres_error : public std::runtime_error {
 public:
  postgres_error(std::string sqlstate, std::string message, std::string detail, std::string hint);
  /// The five-character SQLSTATE code ("42601" syntax error, "23505" unique violation, ...).
  [[nodiscard]] const std::string& sqlstate() const noexcept { return m_sqlstate; }
  /// The server's primary message ("relation \"x\" does not exist").
  [[nodiscard]] const std::string& message() const noexcept { return m_message; }
  /// The server's detail line, or empty ("Key (id)=(1) already exists.").
  [[nodiscard]] const std::string& detail() const noexcept { return m_detail; }
  /// The server's hint, or empty.
  [[nodiscard]] const std::string& hint() const noexcept { return m_hint; }

 private:
  std::string m_sqlstate;
  std::string m_message;
  std::string m_detail;
  std::string m_hint;
};

/// A row of `executemany` failed: the server's error for it (sqlstate(), message(), ...) and the
/// row's index in the rows given; what() says "executemany row N: ...". No row of the batch took effect
/// (it runs in one implicit transaction, or aborts the caller's).
class executemany_error : public postgres_error {
 public:
  executemany_error(const postgres_error& e, std::size_t row);
  /// The failing row's index (0-based) in the rows passed to `executemany`.
  [[nodiscard]] std::size_t row() const noexcept { return m_row; }
  [[nodiscard]] const char* what() const noexcept override { return m_what.c_str(); }

 private:
  std::size_t m_row;
  std::string m_what;
};

/// A client-side error (asyncpg's `InterfaceError`): the connection is closed or was lost, another
/// operation is in progress on it, an unsupported protocol feature (COPY).
class interface_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Connecting failed: refused, unknown host, authentication, unknown database; the message is libpq's
/// reason, prefixed with "aio::pg: cannot connect: ".
class connection_error : public interface_error {
 public:
  using interface_error::interface_error;
};

/// A value's text does not parse as the requested type, it is NULL where a non-optional type was asked
/// for, or a column index or name does not exist (asyncpg's `DataError` for the conversions).
class conversion_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace aio::pg
