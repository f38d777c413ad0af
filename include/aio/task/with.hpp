#pragma once
/// @file with.hpp
/// `co_await aio::with(resource, body)`: asyncio's `async with resource as r: body`.

#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/detail/gcc12_capture_check.hpp"
#include "aio/errors.hpp"
#include "aio/task/aclose.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/detail/uncancellable_close.hpp"

namespace aio {

namespace detail {

/// What the body's awaitable yields (void stays void).
template <class F, class R>
using with_result_t =
    std::remove_cvref_t<decltype(std::declval<awaiter_t<std::invoke_result_t<F&, R&>>&>().await_resume())>;

/// The coroutine behind `with`. `Stored` is the resource (owned: moved into this frame) or a reference
/// to it (borrowed); `f` is moved into this frame, so a lambda's captures outlive its body coroutine.
template <class T, class Stored, class F>
coro<T> with_impl(Stored r, F f) {
  std::exception_ptr body_error;
  bool body_cancelled = false;
  std::optional<value_or_monostate<T>> value;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::invoke(f, static_cast<std::remove_reference_t<Stored>&>(r));
      value.emplace();
    } else {
      value.emplace(co_await std::invoke(f, static_cast<std::remove_reference_t<Stored>&>(r)));
    }
  } catch (const cancelled_error&) {
    body_error = std::current_exception();
    body_cancelled = true;
  } catch (...) {
    body_error = std::current_exception();
  }
  // No co_await inside a handler: the close runs here, after it.
  std::exception_ptr close_error = co_await uncancellable_close(aio::aclose(r));
  finish_with(body_error, body_cancelled, close_error, "aio::with");
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

}  // namespace detail

/// Runs `co_await body(resource)`, then closes the resource with `aio::aclose` (awaits its `close()`,
/// `wait_closed()`... as its asyncio twin's `__aexit__`) on success, on an exception and on
/// cancellation, then rethrows; yields what the body returns (asyncio's
/// `async with resource as r: return await body(r)`).
///
/// An rvalue resource (`co_await aio::files::open(...)`) is moved into the `with` and lives until the
/// close is over; an lvalue is borrowed and must outlive the `with`. The body is any callable taking
/// `R&` and returning an awaitable (a lambda coroutine `[&](R& r) -> aio::coro<> {...}`); it is moved
/// into the `with`'s frame, so its captures live until the body coroutine ends.
/// @par Cancellation
/// A cancelled body still has its resource closed: the close runs to its end, shielded (unlike
/// asyncio, where `__aexit__` itself can be interrupted), then `cancelled_error` propagates. A request
/// that arrives during the close is delivered once the close is over.
/// @par Errors
/// The body's exception wins: it propagates even if the close then fails too; that close failure goes
/// to the loop's exception handler (asyncio would raise the close's exception, chaining the body's).
/// A body that succeeds and a close that fails: the close's exception. A cancellation that arrives
/// during the close wins over both (asyncio raises it inside `__aexit__`).
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// co_await aio::with(co_await aio::files::open(path, "w"), [&](aio::files::file& f) -> aio::coro<> {
///   co_await f.write("hello\n");
/// });  // f.close() awaited here, even if the write threw
/// @endcode
// The return type is spelt out for the g++ 12 capture check (docs/design/compilers.md, "How the g++ 12
// check recognises the unsafe lambda").
template <class R, class F>
requires async_closable<R> && std::invocable < std::decay_t<F>
&, std::remove_reference_t<R>& >
       [[nodiscard]] coro<detail::with_result_t<std::decay_t<F>, std::remove_reference_t<R>>> with(
           R&& resource, F&& body) {
  static_assert(!detail::gcc12_unsafe_closure<F>(), AIO_GCC12_CAPTURE_MESSAGE);
  using stored = std::conditional_t<std::is_lvalue_reference_v<R>, R, std::remove_cvref_t<R>>;
  using result = detail::with_result_t<std::decay_t<F>, std::remove_reference_t<R>>;
  return detail::with_impl<result, stored, std::decay_t<F>>(std::forward<R>(resource), std::forward<F>(body));
}

}  // namespace aio
