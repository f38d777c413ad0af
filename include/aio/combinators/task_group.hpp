#pragma once
/// @file task_group.hpp
/// `aio::task_group`: structured concurrency (asyncio.TaskGroup). `run` does not return before the
/// body and every task created in the group are done.

#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/combinators/detail/task_group_operation.hpp"
#include "aio/detail/gcc12_capture_check.hpp"
#include "aio/errors.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/task.hpp"

namespace aio {

/// A scope for tasks: `co_await task_group::run(body)` runs `body(tg)` inside the caller's task, and
/// returns once the body and every task it (or a child) created with `tg.create_task` are done.
///
/// The first child failure cancels the body and every other child; once all are done, the failures
/// (the body's own last) are thrown together as one `aio::exception_group` (use `split<E>()` to pick
/// out a type). A task group never leaks a task.
/// @par Cancellation
/// Cancelling the caller cancels the body and every child; when they are done `run` rethrows
/// `cancelled_error`. The group's own cancellation of the caller (after a child failure) is undone
/// with `uncancel()` before `run` returns, so the caller can catch the `exception_group` and go on; an
/// outside cancel that arrived meanwhile is kept (re-requested if failures take precedence).
/// @par Errors
/// `aio::exception_group` with every child failure (a cancelled child is not a failure) and the body's
/// failure. `create_task` throws `std::runtime_error` once the group is finished or shutting down
/// (after a failure or a cancel), destroying the coro unstarted.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
///   auto a = tg.create_task(download("a"));
///   auto b = tg.create_task(download("b"), "b");
///   co_return;
/// });  // both downloads are done here
/// @endcode
class task_group {
 public:
  /// Runs `body(tg)` (a callable returning `aio::coro<>`; kept alive until it is done) and waits for
  /// the group. See the class for cancellation and errors.
  template <class F>
  static coro<> run(F&& body) {
    static_assert(!detail::gcc12_unsafe_closure<F>(), AIO_GCC12_CAPTURE_MESSAGE);
    return run_body(std::decay_t<F>(std::forward<F>(body)));
  }

  /// Starts `c` as a task of the group (scheduled at once, as `aio::create_task`).
  /// @par Cancellation
  /// The task is cancelled with the group (a failure of a sibling or of the body, the caller's
  /// cancellation, `cancel()`); its own cancellation is not a failure.
  /// @par Errors
  /// `std::runtime_error` if the group is finished or shutting down; the coro is destroyed unstarted.
  template <class T>
  task<T> create_task(coro<T> c, std::string name = {}) {
    check_open();
    task<T> t = get_running_loop().create_task(std::move(c), std::move(name));
    adopt(t.header());
    return t;
  }

  /// Cancels the body and every child; `run` then returns without `cancelled_error` (asyncio 3.14's
  /// `TaskGroup.cancel()`). Idempotent; does nothing once the group is finished.
  void cancel();

  /// How many children are not done yet.
  [[nodiscard]] std::size_t size() const noexcept { return m_children; }

  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;

 private:
  template <class F>
  static coro<> run_body(F body);
  friend class detail::task_group_child;
  friend class detail::task_group_join_operation;
  task_group() = default;
  ~task_group();

  void enter();
  void check_open() const;
  void adopt(detail::task_header* t);
  void abort() noexcept;
  void on_child_done(detail::task_group_child* c) noexcept;
  /// asyncio's `_aexit` before its wait loop.
  void begin_exit(const std::exception_ptr& body_error) noexcept;
  /// A cancellation caught while waiting for the children.
  void exit_cancelled(std::exception_ptr e) noexcept;
  /// asyncio's `_aexit` after its wait loop: throws what `run` must throw.
  void end_exit(const std::exception_ptr& body_error);

  detail::task_header* m_parent = nullptr;
  detail::task_group_child* m_first = nullptr;
  detail::task_group_join_operation* m_joiner = nullptr;
  std::size_t m_children = 0;
  std::vector<std::exception_ptr> m_errors;
  std::exception_ptr m_propagate;  ///< the cancelled_error to rethrow, if nothing else
  std::exception_ptr m_pending;    ///< the last cancelled_error caught while waiting (gh-155433)
  bool m_exiting = false;
  bool m_aborting = false;
  bool m_parent_cancel_requested = false;
};

template <class F>
coro<> task_group::run_body(F body) {
  static_assert(std::is_same_v<std::invoke_result_t<F&, task_group&>, coro<>>,
                "aio::task_group::run(body): body(task_group&) must return aio::coro<>");
  task_group tg;
  tg.enter();
  std::exception_ptr body_error;
  try {
    co_await std::invoke(body, tg);
  } catch (...) {
    body_error = std::current_exception();
  }
  tg.begin_exit(body_error);
  while (tg.m_children != 0) {
    try {
      co_await detail::task_group_join_operation(tg);
    } catch (const cancelled_error&) {
      tg.exit_cancelled(std::current_exception());
    }
  }
  tg.end_exit(body_error);
}

}  // namespace aio
