#pragma once
/// @file transaction.hpp
/// The steps of `connection::transaction` (src/pg/transaction.cpp) and the template that runs a body
/// between them. Nested transactions are savepoints, as asyncpg's.

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio/task/coro.hpp"

namespace aio::pg::detail {

class connection_state;

/// BEGIN (or SAVEPOINT when a transaction is open); returns the nesting depth it opened.
coro<std::size_t> transaction_begin(std::shared_ptr<connection_state> c);
/// COMMIT (or RELEASE SAVEPOINT); if that fails with the transaction still open, rolls back first.
coro<> transaction_commit(std::shared_ptr<connection_state> c, std::size_t depth);
/// ROLLBACK (or ROLLBACK TO SAVEPOINT). Never throws: if the rollback itself fails or is cancelled, the
/// connection is closed, which makes the server roll back.
coro<> transaction_rollback(std::shared_ptr<connection_state> c, std::size_t depth);

template <class F>
using body_result_t = typename std::invoke_result_t<F&>::value_type;

template <class F>
coro<body_result_t<F>> run_transaction(std::shared_ptr<connection_state> c, F body) {
  using T = body_result_t<F>;
  const std::size_t depth = co_await transaction_begin(c);
  // C++20 forbids co_await in a handler: keep the failure (cancellation included), roll back after.
  std::exception_ptr failure;
  if constexpr (std::is_void_v<T>) {
    try {
      co_await std::invoke(body);
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      co_await transaction_rollback(c, depth);
      std::rethrow_exception(failure);
    }
    co_await transaction_commit(c, depth);
  } else {
    std::optional<T> out;
    try {
      out.emplace(co_await std::invoke(body));
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      co_await transaction_rollback(c, depth);
      std::rethrow_exception(failure);
    }
    co_await transaction_commit(c, depth);
    co_return std::move(*out);
  }
}

}  // namespace aio::pg::detail
