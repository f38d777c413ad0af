// BEGIN / COMMIT / ROLLBACK for connection::transaction; nested levels are savepoints.

#include "aio/pg/detail/transaction.hpp"

#include <exception>
#include <string>
#include <utility>

#include "connection_state.hpp"

namespace aio::pg::detail {

namespace {

std::string savepoint(std::size_t depth) { return "aio_savepoint_" + std::to_string(depth); }

/// Not a coroutine: the request goes straight into the query's frame.
coro<query_result> run(const std::shared_ptr<connection_state>& c, std::string sql) {
  return c->query(query_request{.kind = request_kind::simple, .sql = std::move(sql)});
}

}  // namespace

coro<std::size_t> transaction_begin(std::shared_ptr<connection_state> c) {
  const std::size_t depth = c->transaction_depth() + 1;
  const std::string sql = depth == 1 ? std::string("BEGIN") : "SAVEPOINT " + savepoint(depth);
  co_await run(c, sql);
  c->transaction_depth() = depth;
  co_return depth;
}

coro<> transaction_commit(std::shared_ptr<connection_state> c, std::size_t depth) {
  std::exception_ptr failure;
  try {
    const std::string sql = depth == 1 ? std::string("COMMIT") : "RELEASE SAVEPOINT " + savepoint(depth);
    co_await run(c, sql);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    // A failed COMMIT ends the transaction on the server; a cancelled one may not have been sent.
    if (c->in_transaction()) {
      co_await transaction_rollback(c, depth);
    } else {
      c->transaction_depth() = depth - 1;
    }
    std::rethrow_exception(failure);
  }
  c->transaction_depth() = depth - 1;
}

coro<> transaction_rollback(std::shared_ptr<connection_state> c, std::size_t depth) {
  c->transaction_depth() = depth - 1;
  bool failed = c->is_closed();
  if (!failed) {
    try {
      const std::string sql = depth == 1 ? std::string("ROLLBACK")
                                         : "ROLLBACK TO SAVEPOINT " + savepoint(depth) +
                                               "; RELEASE SAVEPOINT " + savepoint(depth);
      co_await run(c, sql);
    } catch (...) {
      failed = true;
    }
  }
  // Closing makes the server roll back; the connection is never left inside a transaction we lost.
  if (failed) c->close();
}

}  // namespace aio::pg::detail
