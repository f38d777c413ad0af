#pragma once
/// @file gather.hpp
/// `aio::gather`: run awaitables concurrently and collect their results in argument order
/// (asyncio.gather).

#include <ranges>
#include <type_traits>
#include <utility>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/combinators/detail/gather_operation.hpp"
#include "aio/combinators/result.hpp"

namespace aio {

/// Tag for `gather(aio::return_exceptions, ...)`: failures become results instead of propagating.
struct return_exceptions_t {
  explicit return_exceptions_t() = default;
};
inline constexpr return_exceptions_t return_exceptions{};

/// Runs the awaitables concurrently; `co_await` yields `std::tuple` of their results in argument order
/// (`void` gives `std::monostate`).
///
/// Eager, as asyncio: the call schedules every coro as a task, left to right, and starts following
/// the tasks and futures given; the result is awaited with `co_await` (once). Other awaitables (a
/// `sleep`, a lock's `acquire()`) are awaited by helper tasks. Coros must be passed as rvalues.
/// @par Cancellation
/// Cancelling the awaiting task cancels every unfinished child; once they are done the awaiter gets
/// `cancelled_error` (even with `return_exceptions`). A child that is cancelled by other means makes
/// the gather throw `cancelled_error` (without `return_exceptions`); the other children keep running.
/// @par Errors
/// The first failure (in completion order) is rethrown to the awaiter as soon as it happens; the other
/// children keep running and their later failures are marked retrieved. Exception: a non-movable
/// awaiter object or an lvalue awaiter (not a task) is borrowed from the caller's frame; on an early
/// failure its helper is cancelled and the gather waits for it before rethrowing, so that nothing
/// outlives the caller's objects. Such a temporary must be awaited in the same full-expression.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// auto [a, b] = co_await aio::gather(fetch("a"), aio::sleep(1s));  // b is std::monostate
/// @endcode
template <class... Aws>
requires(detail::awaitable<Aws>&&...)
    [[nodiscard]] detail::gather_tuple_operation<false, Aws...> gather(Aws&&... aws) {
  return detail::gather_tuple_operation<false, Aws...>(static_cast<Aws&&>(aws)...);
}

/// As `gather(aws...)`, but every child runs to its end and the tuple holds `aio::result<T>`s: the
/// value, or the failure (a cancelled child holds `cancelled_error`).
/// @par Cancellation
/// Cancelling the awaiter still cancels the children and throws `cancelled_error` (bpo-32684).
template <class... Aws>
requires(detail::awaitable<Aws>&&...)
    [[nodiscard]] detail::gather_tuple_operation<true, Aws...> gather(return_exceptions_t /*tag*/,
                                                                      Aws&&... aws) {
  return detail::gather_tuple_operation<true, Aws...>(static_cast<Aws&&>(aws)...);
}

/// Gathers a range of awaitables (coros, tasks, futures, movable awaiters); `co_await` yields a
/// `std::vector` in range order. Coros and awaiter objects are moved out of the range (also from an
/// lvalue range); tasks and futures are shared, except that an rvalue `std::vector` of them is taken
/// over whole (`gather(std::move(tasks))` leaves `tasks` empty; the values are still copied out, so
/// other handles to the same tasks see them). An empty range yields an empty vector at once.
/// Allocation: one array of task pointers for the whole range (none for an rvalue vector of tasks),
/// plus each child's own task; a child that another awaiter already waits on costs one small node.
/// @par Cancellation
/// As the variadic form.
/// @par Errors
/// As the variadic form.
/// @par Example
/// @code
/// std::vector<aio::coro<int>> jobs;
/// for (int i = 0; i < 10; ++i) jobs.push_back(square(i));
/// std::vector<int> squares = co_await aio::gather(std::move(jobs));
/// @endcode
template <std::ranges::input_range R>
requires(!detail::awaitable<R> && detail::awaitable<std::ranges::range_reference_t<R>>)
    [[nodiscard]] auto gather(R&& range) {
  using traits = detail::child_traits_t<std::ranges::range_reference_t<R>>;
  return detail::gather_range_operation<false, traits, detail::gather_adopted_t<R>>(std::in_place,
                                                                                    static_cast<R&&>(range));
}

/// As `gather(range)`, yielding `std::vector<aio::result<T>>`.
template <std::ranges::input_range R>
requires(!detail::awaitable<R> && detail::awaitable<std::ranges::range_reference_t<R>>)
    [[nodiscard]] auto gather(return_exceptions_t /*tag*/, R&& range) {
  using traits = detail::child_traits_t<std::ranges::range_reference_t<R>>;
  return detail::gather_range_operation<true, traits, detail::gather_adopted_t<R>>(std::in_place,
                                                                                   static_cast<R&&>(range));
}

}  // namespace aio
