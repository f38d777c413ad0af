#pragma once
/// @file aclose.hpp
/// `aio::aclose(x)` and `aio::async_closable`: the one way `with` and `async_exit_stack` close any
/// resource, whatever its asyncio twin awaits on exit (`__aexit__`).
///
/// A customization point, not a list of overloads: this header knows no resource type. A type is
/// closable by the first of these that it has:
/// 1. a member `x.aclose()` returning an awaitable (asyncio's and Trio's name: `AsyncExitStack.aclose`,
///    `Process.aclose`): awaited;
/// 2. a free function `aclose(x)` found by argument-dependent lookup, returning an awaitable (for a
///    type you cannot change: declare it in the type's namespace);
/// 3. a member `x.close()` returning an awaitable (`files::file`, `http::client_session`,
///    `sqlite::connection`, a websocket connection): awaited, its value dropped;
/// 4. `x.close()` returning nothing plus an awaitable `x.wait_closed()` (`stream_writer`, `server`):
///    `close()` then `co_await wait_closed()`, as asyncio's `Server.__aexit__`;
/// 5. `x.close()` returning nothing (`pg::connection`, `pg::pool`, `udp_socket`): called;
/// 6. an awaitable `x.shutdown()` and no `close()` (`http::app_server`): awaited.

#include <type_traits>
#include <utility>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/task/coro.hpp"

namespace aio {

namespace detail::aclose_impl {

// Ordinary lookup of `aclose` from here finds this deleted function and stops, so a call `aclose(x)`
// below sees only what argument-dependent lookup finds (never the `aio::aclose` object itself).
void aclose() = delete;

template <class T>
concept member_aclose = requires(T& x) {
  requires awaitable<decltype(x.aclose())>;
};
template <class T>
concept adl_aclose = requires(T& x) {
  requires awaitable<decltype(aclose(x))>;
};
template <class T>
concept async_close = requires(T& x) {
  requires awaitable<decltype(x.close())>;
};
template <class T>
concept close_then_wait = requires(T& x) {
  requires std::is_void_v<decltype(x.close())>;
  requires awaitable<decltype(x.wait_closed())>;
};
template <class T>
concept sync_close = requires(T& x) {
  requires std::is_void_v<decltype(x.close())>;
};
template <class T>
concept async_shutdown = requires(T& x) {
  requires awaitable<decltype(x.shutdown())>;
};

template <class T>
concept closable = member_aclose<T> || adl_aclose<T> || async_close<T> || sync_close<T> || async_shutdown<T>;

// Each rule as a coroutine taking `x` by reference: the caller keeps `x` alive until it is awaited.
template <class T>
coro<> close_coro(T& x) {
  if constexpr (member_aclose<T>) {
    co_await x.aclose();
  } else if constexpr (adl_aclose<T>) {
    co_await aclose(x);
  } else if constexpr (async_close<T>) {
    co_await x.close();
  } else if constexpr (close_then_wait<T>) {
    x.close();
    co_await x.wait_closed();
  } else if constexpr (sync_close<T>) {
    x.close();
  } else {
    co_await x.shutdown();
  }
}

struct fn {
  /// A coroutine that closes `x`; `x` must outlive it.
  template <class T>
  requires closable<T>
  [[nodiscard]] coro<> operator()(T& x) const { return aclose_impl::close_coro(x); }
};

}  // namespace detail::aclose_impl

// In an inline namespace, so that a type in namespace aio may still declare a hidden friend `aclose`
// (the same trick as the standard's ranges customization points).
inline namespace cpo {
/// Closes `x` the way its asyncio twin's `async with` does on exit: `co_await aio::aclose(x);`
/// (see the rules at the top of this file).
/// @par Cancellation
/// As the close it runs (`aio::with` and `async_exit_stack` run it uncancellable).
/// @par Errors
/// What the close throws.
/// @par Example
/// @code
/// auto f = co_await aio::files::open(path, "w");
/// co_await aio::aclose(f);   // co_await f.close()
/// @endcode
inline constexpr detail::aclose_impl::fn aclose{};
}  // namespace cpo

/// A type `aio::aclose`, and so `aio::with` and `async_exit_stack`, can close.
template <class T>
concept async_closable = detail::aclose_impl::closable<std::remove_reference_t<T>>;

}  // namespace aio
