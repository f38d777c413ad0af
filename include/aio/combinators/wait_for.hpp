#pragma once
/// @file wait_for.hpp
/// `aio::wait_for`, `aio::timeout`, `aio::timeout_at`: await something under a deadline
/// (asyncio.wait_for and asyncio.timeout / timeout_at, CPython 3.12+ semantics).

#include <chrono>
#include <utility>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/combinators/detail/timeout_operation.hpp"
#include "aio/time/clock.hpp"

namespace aio {

/// Awaits `aw` for at most `delay`; on expiry the inner work is cancelled, awaited to its end, and
/// `aio::timeout_error` is thrown.
///
/// A coro (or any awaiter object) runs inline, inside the caller's task, as `await` does in CPython
/// 3.12+; a task or future is awaited, and cancelled on expiry. A `delay` of zero or less times out at
/// once: a task that is already done gives its result, a pending one is cancelled and awaited, and a
/// coro or awaiter object is never started. `delay` may be any duration (`hours::max()`: no deadline).
/// The returned awaitable is lazy (the deadline starts at `co_await`); it may be moved until awaited. A
/// non-movable awaiter argument is kept by reference: await it in the same full-expression.
/// @par Cancellation
/// Cancelling the caller cancels the inner work and throws `cancelled_error`, never `timeout_error`,
/// even when the deadline passes at the same time (the `cancelling()` count tells them apart, as in
/// asyncio.timeouts). If the inner work swallows the timeout's cancellation and finishes, its result
/// is returned.
/// @par Errors
/// `aio::timeout_error` on expiry; any failure of the inner work as is (also one it raises while being
/// cancelled); `std::runtime_error` if awaited outside an aio task.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// try {
///   auto page = co_await aio::wait_for(fetch(url), 5s);
/// } catch (const aio::timeout_error&) { ... }
/// @endcode
template <class A, class Rep, class Period>
requires detail::awaitable<A>
[[nodiscard]] auto wait_for(A&& aw, std::chrono::duration<Rep, Period> delay) {
  using D = std::remove_cvref_t<A>;
  const clock::duration d = detail::to_clock_duration(delay);
  const bool skip = d <= clock::duration::zero() && !detail::is_handle_v<D>;
  return detail::make_timeout(static_cast<A&&>(aw), detail::deadline{d, {}, false}, skip);
}

/// Awaits `aw` under a deadline `delay` from now (asyncio `async with timeout(delay): await aw`).
/// Unlike `wait_for`, a non-positive delay still lets the inner work take its first step: the
/// cancellation arrives on the next loop iteration.
/// @par Cancellation
/// As `wait_for`.
/// @par Errors
/// As `wait_for`.
template <class Rep, class Period, class A>
requires detail::awaitable<A>
[[nodiscard]] auto timeout(std::chrono::duration<Rep, Period> delay, A&& aw) {
  return detail::make_timeout(static_cast<A&&>(aw),
                              detail::deadline{detail::to_clock_duration(delay), {}, false}, false);
}

/// Awaits `aw` until `when` on the loop's clock (asyncio `async with timeout_at(when): await aw`).
/// A time in the past expires on the next loop iteration; `clock::time_point::max()` never does.
/// @par Cancellation
/// As `wait_for`.
/// @par Errors
/// As `wait_for`.
/// @par Example
/// @code
/// const auto deadline = aio::get_running_loop().time() + 10s;
/// co_await aio::timeout_at(deadline, login());
/// co_await aio::timeout_at(deadline, download());  // both within the same 10 s
/// @endcode
template <class A>
requires detail::awaitable<A>
[[nodiscard]] auto timeout_at(clock::time_point when, A&& aw) {
  return detail::make_timeout(static_cast<A&&>(aw), detail::deadline{{}, when, true}, false);
}

}  // namespace aio
