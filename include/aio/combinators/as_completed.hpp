#pragma once
/// @file as_completed.hpp
/// `aio::as_completed`: a range of awaitables that yield the results in completion order
/// (asyncio.as_completed).

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <iterator>
#include <ranges>
#include <vector>

#include "aio/combinators/detail/as_completed_operation.hpp"
#include "aio/combinators/detail/awaitable.hpp"
#include "aio/combinators/detail/timeout_operation.hpp"

namespace aio {

namespace detail {

/// The range `as_completed` returns; not movable (its children point at it).
template <class Traits>
class as_completed_range {
 public:
  using value_type = typename Traits::value_type;

  /// `co_await next`: the next result to complete.
  class operation : public as_completed_waiter {
   public:
    explicit operation(as_completed_core& core) noexcept : m_range_core(&core) {}
    [[nodiscard]] bool await_ready() const noexcept { return m_range_core->available(); }
    bool await_suspend(std::coroutine_handle<> h) { return m_range_core->suspend(*this, h); }
    value_type await_resume() {
      as_completed_child* c = m_range_core->take(*this);
      if (c == nullptr) throw timeout_error("aio: as_completed() timed out");
      return child_value<Traits>(c->m_task);
    }

   private:
    as_completed_core* m_range_core;
  };

  /// What the range yields: a cheap copyable awaitable (each `co_await` takes one result).
  class next {
   public:
    explicit next(as_completed_core* core) noexcept : m_core(core) {}
    operation operator co_await() const noexcept { return operation(*m_core); }

   private:
    as_completed_core* m_core;
  };

  class iterator {
   public:
    using value_type = next;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(as_completed_core* core, std::size_t i) noexcept : m_core(core), m_i(i) {}
    next operator*() const noexcept { return next(m_core); }
    iterator& operator++() noexcept {
      ++m_i;
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++m_i;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.m_i == b.m_i; }

   private:
    as_completed_core* m_core = nullptr;
    std::size_t m_i = 0;
  };

  template <class R>
  as_completed_range(R&& range, bool timed, clock::duration timeout) {
    if constexpr (std::ranges::sized_range<R>) {
      // Filled in place: if a spawn throws, the core releases what was filled.
      const auto n = static_cast<std::size_t>(std::ranges::size(range));
      m_core.allocate(n);
      std::size_t i = 0;
      for (auto&& e : range) {
        if (i == n) break;
        m_core.child(i++).m_task = spawn_element(static_cast<decltype(e)&&>(e)).task;
      }
    } else {
      std::vector<spawned> children;
      try {
        for (auto&& e : range) children.push_back(spawn_element(static_cast<decltype(e)&&>(e)));
      } catch (...) {
        for (auto& c : children) c.task->release();
        throw;
      }
      m_core.allocate(children.size());
      for (std::size_t i = 0; i < children.size(); ++i) m_core.child(i).m_task = children[i].task;
    }
    m_core.start(timed, timeout);
  }
  as_completed_range(const as_completed_range&) = delete;
  as_completed_range& operator=(const as_completed_range&) = delete;

  [[nodiscard]] iterator begin() noexcept { return iterator(&m_core, 0); }
  [[nodiscard]] iterator end() noexcept { return iterator(&m_core, m_core.size()); }
  [[nodiscard]] std::size_t size() const noexcept { return m_core.size(); }

 private:
  as_completed_core m_core;
};

template <class R>
using as_completed_traits_t = child_traits_t<std::ranges::range_reference_t<R>>;

}  // namespace detail

/// Starts (or follows) every awaitable of `aws` and returns a range of `size()` awaitables; each
/// `co_await` on one of them yields the next result to complete (or rethrows that child's failure).
///
/// Eager: coros become tasks at the call (they and awaiter objects are moved out of the range, even an
/// lvalue one); tasks and futures are followed as they are. Iterate with
/// `for (auto next : aio::as_completed(tasks)) { auto r = co_await next; }`. Children that already
/// finished when the call is made come first, in range order. Breaking out of the loop leaves the
/// remaining children running.
/// @par Cancellation
/// Cancel-safe: cancelling a task blocked in `co_await next` loses no result (the next await gets it);
/// the children are never cancelled.
/// @par Errors
/// A child's failure is rethrown by the `co_await` that takes it. More awaits than awaitables throw
/// `aio::invalid_state_error`.
/// @par Thread safety
/// Loop thread only.
template <std::ranges::input_range R>
requires(!detail::awaitable<R> && detail::awaitable<std::ranges::range_reference_t<R>>)
    [[nodiscard]] detail::as_completed_range<detail::as_completed_traits_t<R>> as_completed(R&& aws) {
  return detail::as_completed_range<detail::as_completed_traits_t<R>>(static_cast<R&&>(aws), false,
                                                                      clock::duration{0});
}

/// As `as_completed(aws)`, with a deadline `timeout` from now (armed at the call, as asyncio): every
/// `co_await next` after it that finds no finished child throws `aio::timeout_error`. The children
/// are not cancelled.
/// @par Cancellation
/// As above.
/// @par Errors
/// As above, plus `aio::timeout_error` for the children still pending at the deadline.
/// @par Example
/// @code
/// for (auto next : aio::as_completed(std::move(jobs), 5s)) {
///   try { handle(co_await next); } catch (const aio::timeout_error&) { break; }
/// }
/// @endcode
template <std::ranges::input_range R, class Rep, class Period>
requires(!detail::awaitable<R> && detail::awaitable<std::ranges::range_reference_t<R>>)
    [[nodiscard]] detail::as_completed_range<detail::as_completed_traits_t<R>> as_completed(
        R&& aws, std::chrono::duration<Rep, Period> timeout) {
  return detail::as_completed_range<detail::as_completed_traits_t<R>>(static_cast<R&&>(aws), true,
                                                                      detail::to_clock_duration(timeout));
}

}  // namespace aio
