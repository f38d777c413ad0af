#pragma once
/// @file prepared_statement.hpp
/// `aio::pg::prepared_statement`: a statement parsed once by the server and run many times
/// (asyncpg's `PreparedStatement`, from `connection::prepare`).

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aio/pg/detail/query.hpp"
#include "aio/pg/detail/query_methods.hpp"
#include "aio/pg/record.hpp"
#include "aio/pg/value.hpp"
#include "aio/task/coro.hpp"

namespace aio::pg {

namespace detail {
class connection_state;
}

/// A server-side prepared statement bound to its connection (which it keeps alive). The server frees
/// it when the connection closes.
/// @par Cancellation
/// As the connection's queries: a cancelled run is cancelled on the server and the connection stays
/// usable.
/// @par Thread safety
/// Loop thread only; one operation at a time per connection.
class prepared_statement {
 public:
  prepared_statement(std::shared_ptr<detail::connection_state> c, std::string name, std::string sql)
      : m_conn(std::move(c)), m_name(std::move(name)), m_sql(std::move(sql)) {}

  /// The statement's text.
  [[nodiscard]] const std::string& sql() const noexcept { return m_sql; }
  /// The server-side name ("aio_stmt_1").
  [[nodiscard]] const std::string& name() const noexcept { return m_name; }

  template <class... Args>
  coro<std::vector<record>> fetch(Args&&... args) {
    return detail::rows_of(run(detail::make_params(std::forward<Args>(args)...)));
  }
  template <class... Args>
  coro<std::optional<record>> fetchrow(Args&&... args) {
    return detail::first_row_of(run(detail::make_params(std::forward<Args>(args)...)));
  }
  template <class T = value, class... Args>
  coro<T> fetchval(Args&&... args) {
    if constexpr (std::is_same_v<T, value>) {
      return detail::first_value_of(run(detail::make_params(std::forward<Args>(args)...)));
    } else {
      return detail::first_value_as<T>(run(detail::make_params(std::forward<Args>(args)...)));
    }
  }
  template <class... Args>
  coro<std::string> execute(Args&&... args) {
    return detail::status_of(run(detail::make_params(std::forward<Args>(args)...)));
  }

 private:
  coro<detail::query_result> run(detail::params args);

  std::shared_ptr<detail::connection_state> m_conn;
  std::string m_name;
  std::string m_sql;
};

}  // namespace aio::pg
