// The result shapers behind fetch, fetchrow, fetchval and execute.

#include "aio/pg/detail/query_methods.hpp"

#include <utility>

namespace aio::pg::detail {

coro<std::vector<record>> rows_of(coro<query_result> q) {
  query_result r = co_await std::move(q);
  co_return std::move(r.rows);
}

coro<std::optional<record>> first_row_of(coro<query_result> q) {
  query_result r = co_await std::move(q);
  if (r.rows.empty()) co_return std::nullopt;
  co_return std::move(r.rows.front());
}

coro<value> first_value_of(coro<query_result> q) {
  query_result r = co_await std::move(q);
  if (r.rows.empty() || r.rows.front().size() == 0) co_return value();
  co_return r.rows.front()[0];
}

coro<std::string> status_of(coro<query_result> q) {
  query_result r = co_await std::move(q);
  co_return std::move(r.status);
}

}  // namespace aio::pg::detail
