#pragma once
/// @file query_methods.hpp
/// The query methods shared by `connection` and `pool` (asyncpg gives both the same four): each builds
/// a `query_request` and hands it to `Derived::run_query`; the shaping of the result is not a template.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/pg/detail/query.hpp"
#include "aio/pg/record.hpp"
#include "aio/pg/value.hpp"
#include "aio/task/coro.hpp"

namespace aio::pg::detail {

/// Result shapers (src/pg/query_methods.cpp).
coro<std::vector<record>> rows_of(coro<query_result> q);
coro<std::optional<record>> first_row_of(coro<query_result> q);
coro<value> first_value_of(coro<query_result> q);
coro<std::string> status_of(coro<query_result> q);

template <class T>
coro<T> first_value_as(coro<query_result> q) {
  const value v = co_await first_value_of(std::move(q));
  co_return v.template get<T>();
}

template <class Derived>
class query_methods {
 public:
  /// Runs `sql` and returns its command status ("INSERT 0 1", "CREATE TABLE"). Without arguments the
  /// text may hold several statements (the simple query protocol, as asyncpg's `execute`).
  template <class... Args>
  coro<std::string> execute(std::string_view sql, Args&&... args) {
    query_request rq{.kind = sizeof...(Args) == 0 ? request_kind::simple : request_kind::with_params,
                     .sql = std::string(sql),
                     .args = make_params(std::forward<Args>(args)...)};
    return status_of(self().run_query(std::move(rq)));
  }
  /// Runs `sql` once per row of `rows` (a range of tuples, pairs or vectors of arguments), all sent
  /// in one round trip (libpq's pipeline mode) after one prepare (asyncpg's `executemany`). The rows
  /// are converted before this returns. Atomic: outside a transaction the batch is one implicit
  /// transaction (a failing row rolls back the rows before it); inside one, a failing row aborts the
  /// caller's transaction.
  /// @par Errors
  /// `executemany_error` (a `postgres_error`) naming the failing row's index.
  /// @par Cancellation
  /// The server is asked to cancel, the rest of the replies are drained (the batch is rolled back as
  /// above) and the connection stays usable, or is closed if that clean-up fails.
  template <class Rows>
  coro<> executemany(std::string_view sql, const Rows& rows) {
    batch_request rq{.sql = std::string(sql)};
    for (const auto& row : rows) rq.rows.push_back(row_params(row));
    return self().run_many(std::move(rq));
  }
  /// Runs `sql` with `args` as $1, $2, ... and returns every row.
  template <class... Args>
  coro<std::vector<record>> fetch(std::string_view sql, Args&&... args) {
    return rows_of(self().run_query(request(sql, std::forward<Args>(args)...)));
  }
  /// The first row, or std::nullopt when there is none.
  template <class... Args>
  coro<std::optional<record>> fetchrow(std::string_view sql, Args&&... args) {
    return first_row_of(self().run_query(request(sql, std::forward<Args>(args)...)));
  }
  /// The first column of the first row (a NULL `value` when there is no row, as asyncpg's None);
  /// `fetchval<int>(...)` parses it (a missing row is then a `conversion_error`).
  template <class T = value, class... Args>
  coro<T> fetchval(std::string_view sql, Args&&... args) {
    if constexpr (std::is_same_v<T, value>) {
      return first_value_of(self().run_query(request(sql, std::forward<Args>(args)...)));
    } else {
      return first_value_as<T>(self().run_query(request(sql, std::forward<Args>(args)...)));
    }
  }

 private:
  Derived& self() noexcept { return static_cast<Derived&>(*this); }
  template <class... Args>
  static query_request request(std::string_view sql, Args&&... args) {
    return query_request{.kind = request_kind::with_params,
                         .sql = std::string(sql),
                         .args = make_params(std::forward<Args>(args)...)};
  }
};

}  // namespace aio::pg::detail
