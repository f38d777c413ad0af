#pragma once
/// @file wait.hpp
/// `aio::wait`: wait until some or all of a set of tasks are done, without cancelling anything
/// (asyncio.wait).

#include <chrono>
#include <coroutine>
#include <ranges>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/combinators/detail/timeout_operation.hpp"
#include "aio/combinators/detail/wait_operation.hpp"

namespace aio {

/// When `aio::wait` returns (asyncio's FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED).
enum class return_when : unsigned char { first_completed, first_exception, all_completed };
/// `wait` returns as soon as any task is done (asyncio.FIRST_COMPLETED).
inline constexpr return_when first_completed = return_when::first_completed;
/// `wait` returns when a task fails (a cancellation is not a failure), or when all are done
/// (asyncio.FIRST_EXCEPTION).
inline constexpr return_when first_exception = return_when::first_exception;
/// `wait` returns when every task is done (asyncio.ALL_COMPLETED, the default).
inline constexpr return_when all_completed = return_when::all_completed;

/// What `co_await aio::wait(...)` yields: the handles split by `done()`, each in input order.
template <class H>
struct wait_result {
  std::vector<H> done;
  std::vector<H> pending;
};

namespace detail {
/// `co_await wait(...)`: holds copies of the handles (they keep the tasks alive during the wait).
template <class H>
class tasks_wait_operation {
 public:
  tasks_wait_operation(std::vector<H> handles, return_when when, bool timed, clock::duration timeout)
      : m_handles(std::move(handles)),
        m_core(m_handles.data(), &task_at, m_handles.size(), when, timed, timeout) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }  // asyncio always yields once
  bool await_suspend(std::coroutine_handle<> h) { return m_core.suspend(h); }
  wait_result<H> await_resume() {
    m_core.resume();
    // `done` is the handles' own vector, compacted in place; only `pending` is allocated, once.
    std::size_t n_done = 0;
    for (const auto& t : m_handles) n_done += t.done() ? 1 : 0;
    wait_result<H> out;
    out.pending.reserve(m_handles.size() - n_done);
    std::size_t w = 0;
    for (std::size_t i = 0; i < m_handles.size(); ++i) {
      if (!m_handles[i].done()) {
        out.pending.push_back(std::move(m_handles[i]));
      } else if (w++ != i) {
        m_handles[w - 1] = std::move(m_handles[i]);
      }
    }
    m_handles.erase(m_handles.begin() + static_cast<std::ptrdiff_t>(w), m_handles.end());
    out.done = std::move(m_handles);
    return out;
  }

 private:
  static task_header* task_at(const void* children, std::size_t i) noexcept {
    return static_cast<const H*>(children)[i].header();
  }

  std::vector<H> m_handles;
  wait_core m_core;
};

template <class R>
auto make_wait(R&& range, return_when when, bool timed, clock::duration timeout) {
  using H = std::remove_cvref_t<std::ranges::range_reference_t<R>>;
  static_assert(is_handle_v<H>,
                "aio::wait() takes tasks or futures (as CPython 3.11+): wrap coros with aio::create_task()");
  std::vector<H> handles;
  if constexpr (std::ranges::sized_range<R>) handles.reserve(std::ranges::size(range));
  for (auto&& h : range) {
    if (!h) throw invalid_state_error("aio::wait(): an empty task or future handle");
    handles.push_back(h);
  }
  if (handles.empty()) throw std::invalid_argument("aio::wait(): the set of tasks/futures is empty");
  return tasks_wait_operation<H>(std::move(handles), when, timed, timeout);
}
}  // namespace detail

/// Waits until `when` is met: `all_completed` (default), `first_completed`, or `first_exception`.
/// `co_await` yields `{done, pending}` (`std::vector<H>` each, in input order, where H is the range's
/// task/future/task_handle type). Always yields to the loop at least once, as asyncio.
/// @par Cancellation
/// Cancel-safe: nothing is lost, and the tasks are never cancelled (neither by cancelling the awaiter
/// nor on timeout).
/// @par Errors
/// Never rethrows a task's failure. `std::invalid_argument` for an empty range (asyncio's ValueError);
/// `aio::invalid_state_error` for an empty handle; coros are refused at compile time.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// auto [done, pending] = co_await aio::wait(tasks, aio::first_completed);
/// @endcode
template <std::ranges::input_range R>
[[nodiscard]] auto wait(R&& tasks, return_when when = all_completed) {
  return detail::make_wait(static_cast<R&&>(tasks), when, false, clock::duration{0});
}

/// As `wait(tasks, when)`, returning after `timeout` at the latest (what is not done is in `pending`).
/// @par Cancellation
/// As above.
/// @par Errors
/// As above; the timeout does not throw.
template <std::ranges::input_range R, class Rep, class Period>
[[nodiscard]] auto wait(R&& tasks, return_when when, std::chrono::duration<Rep, Period> timeout) {
  return detail::make_wait(static_cast<R&&>(tasks), when, true, detail::to_clock_duration(timeout));
}

/// As `wait(tasks, all_completed, timeout)`.
template <std::ranges::input_range R, class Rep, class Period>
[[nodiscard]] auto wait(R&& tasks, std::chrono::duration<Rep, Period> timeout) {
  return detail::make_wait(static_cast<R&&>(tasks), all_completed, true, detail::to_clock_duration(timeout));
}

}  // namespace aio
