#pragma once
/// @file async_exit_stack.hpp
/// `aio::async_exit_stack`: asyncio's `contextlib.AsyncExitStack`, a dynamic number of resources and
/// clean-up coroutines, closed in reverse order.

#include <exception>
#include <functional>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/errors.hpp"
#include "aio/task/aclose.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/detail/uncancellable_close.hpp"

namespace aio {

namespace detail {

/// One thing to close: a resource owned by the stack, a borrowed one, or a callback.
class exit_entry {
 public:
  exit_entry() = default;
  exit_entry(const exit_entry&) = delete;
  exit_entry& operator=(const exit_entry&) = delete;
  virtual ~exit_entry() = default;
  /// A coroutine that closes; the entry outlives it.
  virtual coro<> close() = 0;
};

template <class T>
class owned_exit_entry final : public exit_entry {
 public:
  explicit owned_exit_entry(T&& x) : m_value(std::move(x)) {}
  coro<> close() override { return aio::aclose(m_value); }
  T m_value;
};

template <class T>
class borrowed_exit_entry final : public exit_entry {
 public:
  explicit borrowed_exit_entry(T& x) noexcept : m_x(&x) {}
  coro<> close() override { return aio::aclose(*m_x); }

 private:
  T* m_x;
};

template <class F, class... Args>
class callback_exit_entry final : public exit_entry {
 public:
  template <class G, class... A>
  explicit callback_exit_entry(G&& f, A&&... args)
      : m_f(std::forward<G>(f)), m_args(std::forward<A>(args)...) {}
  coro<> close() override { return run(this); }

 private:
  // A static coroutine with the entry as a pointer parameter: nothing is copied, and the stack keeps the
  // entry until the coroutine is over.
  static coro<> run(callback_exit_entry* self) { co_await std::apply(self->m_f, self->m_args); }
  F m_f;
  std::tuple<Args...> m_args;
};

/// `co_await stack.enter(x)`: ready at once, yields the entered resource.
template <class T>
struct enter_operation {
  T* m_x;
  [[nodiscard]] bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<> /*unused*/) const noexcept {}
  T& await_resume() const noexcept { return *m_x; }
};

}  // namespace detail

/// Closes what was entered into it and runs the callbacks pushed onto it, last in first out, when
/// `co_await stack.aclose()` runs or, as `co_await aio::with(stack, body)`, when the body ends
/// (asyncio's `async with contextlib.AsyncExitStack() as stack:`).
///
/// Move-only (a move is asyncio's `pop_all()`: the new stack takes every entry, the old one is empty).
/// Destroying a stack that still holds entries runs no callback (a destructor cannot await); what it
/// owns is destroyed, which closes files and sockets synchronously. `co_await aclose()` it.
/// @par Cancellation
/// `aclose()` runs every entry's close to its end even if the task is cancelled meanwhile (each close
/// is shielded, as in `aio::with`); the cancellation is delivered afterwards.
/// @par Errors
/// Every entry is closed even if some fail. `aclose()` throws the first failure (in closing order);
/// later ones go to the loop's exception handler. Under `aio::with(stack, body)` the body's exception
/// wins and every close failure is reported. asyncio instead raises the last failure, chaining the
/// earlier ones as `__context__`.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// co_await aio::with(aio::async_exit_stack(), [&](aio::async_exit_stack& stack) -> aio::coro<> {
///   for (const auto& p : paths) files.push_back(&co_await stack.enter(co_await aio::files::open(p)));
///   stack.push_callback([&]() -> aio::coro<> { co_await log("all closed"); });
/// });
/// @endcode
class async_exit_stack {
 public:
  async_exit_stack() = default;
  async_exit_stack(async_exit_stack&&) noexcept = default;
  async_exit_stack& operator=(async_exit_stack&& o) noexcept = default;
  async_exit_stack(const async_exit_stack&) = delete;
  async_exit_stack& operator=(const async_exit_stack&) = delete;
  ~async_exit_stack() = default;

  /// Registers `x` to be closed by `aio::aclose` and yields it (asyncio's `enter_async_context`):
  /// `auto& f = co_await stack.enter(co_await aio::files::open(p));`. An rvalue is moved into the stack
  /// (the reference yielded stays valid until the stack closes it); an lvalue is borrowed and must
  /// outlive the stack's close.
  /// @par Cancellation
  /// Never suspends: not a cancellation point.
  template <class R>
  requires async_closable<R>
  [[nodiscard]] auto enter(R&& x) {
    using T = std::remove_reference_t<R>;
    if constexpr (std::is_lvalue_reference_v<R>) {
      m_entries.push_back(std::make_unique<detail::borrowed_exit_entry<T>>(x));
      return detail::enter_operation<T>{&x};
    } else {
      auto entry = std::make_unique<detail::owned_exit_entry<T>>(std::forward<R>(x));
      T* p = &entry->m_value;
      m_entries.push_back(std::move(entry));
      return detail::enter_operation<T>{p};
    }
  }

  /// Registers `co_await f(args...)` to run when the stack closes (asyncio's `push_async_callback`).
  /// `f` and the arguments are copied or moved into the stack.
  template <class F, class... Args>
  requires std::invocable < std::decay_t<F>
  &, std::decay_t<Args>&... > void push_callback(F&& f, Args&&... args) {
    m_entries.push_back(std::make_unique<detail::callback_exit_entry<std::decay_t<F>, std::decay_t<Args>...>>(
        std::forward<F>(f), std::forward<Args>(args)...));
  }

  /// How many entries wait to be closed.
  [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }

  /// Closes every entry, last entered first; the stack is then empty and may be used again.
  /// @par Cancellation
  /// Each close runs to its end; a cancellation that arrived is delivered after the last one.
  /// @par Errors
  /// The first close failure, after every entry was closed.
  coro<> aclose() { return close_all(this); }

 private:
  static coro<> close_all(async_exit_stack* self);
  std::vector<std::unique_ptr<detail::exit_entry>> m_entries;
};

}  // namespace aio
