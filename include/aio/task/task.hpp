#pragma once
/// @file task.hpp
/// `aio::task<T>` and `aio::create_task`: a coroutine scheduled on the loop (asyncio's Task).

#include <concepts>
#include <cstdint>
#include <string>
#include <utility>

#include "aio/optional_arg.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/task/basic_handle.hpp"
#include "aio/task/coro.hpp"

namespace aio {

/// Options for `create_task`: a name, and eager start (asyncio 3.12's eager task factory: the body runs
/// synchronously, inside `create_task`, until its first suspension).
struct task_options {
  /// The task's name (unset: asyncio's `Task-N`, numbered when first asked for).
  optional_arg<std::string> name{};
  bool eager = false;
};

/// A cheap, copyable handle to a scheduled coroutine. The loop keeps a running task alive: dropping
/// every handle neither cancels nor leaks it.
/// @par Cancellation
/// `cancel(msg)` delivers `aio::cancelled_error` at the task's current or next suspension point; a task
/// cancelled before its first step never runs its body. Awaiting a task and being cancelled cancels the
/// awaited task too (asyncio semantics); wrap it in `aio::shield` to keep it running.
/// @par Thread safety
/// Use on the loop's thread only.
template <class T = void>
class task : public detail::basic_handle<T> {
 public:
  using detail::basic_handle<T>::basic_handle;

  [[nodiscard]] std::string get_name() const { return this->get().name(); }
  void set_name(std::string name) { this->get().set_name(std::move(name)); }
  /// How many cancel requests are outstanding (not yet `uncancel`led).
  [[nodiscard]] int cancelling() const noexcept { return this->m_p->cancelling(); }
  int uncancel() noexcept { return this->m_p->uncancel(); }
  /// Calls `fn(task)` or `fn()` through the ready queue once the task is done.
  template <class F>
  std::uintptr_t add_done_callback(F&& fn) {
    return this->add_done_callback_impl(*this, std::forward<F>(fn));
  }
};

template <class T>
task<T> event_loop::create_task(coro<T> c, std::string name) {
  check_thread("create_task");
  auto h = c.release();
  if (!h) throw invalid_state_error("aio: create_task() was given an empty coro (moved from?)");
  task<T> t(&h.promise());
  h.promise().start_task(*this, h, std::move(name), false);
  return t;
}

/// Schedules `c` as a task on the running loop (FIFO, next iteration).
template <class T>
task<T> create_task(coro<T> c) {
  return get_running_loop().create_task(std::move(c));
}

/// As above, named `name` (anything a `std::string` is made from). A template, so that a brace list
/// never selects it: `create_task(c, {.name = "x", .eager = true})` is the `task_options` overload,
/// which g++ 12 otherwise finds ambiguous with a `std::string` parameter.
template <class T, class Name>
requires std::convertible_to<Name, std::string> task<T> create_task(coro<T> c, Name&& name) {
  return get_running_loop().create_task(std::move(c), std::string(std::forward<Name>(name)));
}

namespace detail {
/// The parameter type of the `create_task(c, {})` overload. An empty brace list converts to a non-class
/// type by an identity conversion, which beats the user-defined conversions to `std::string` and to
/// `task_options` that made the call ambiguous; nothing else converts to it.
enum class no_task_name {};
}  // namespace detail

/// Schedules `c` as a task; with `.eager = true` it runs at once until its first suspension.
template <class T>
task<T> create_task(coro<T> c, task_options opts) {
  event_loop& loop = get_running_loop();
  detail::loop_access::check_thread(loop, "create_task");
  auto h = c.release();
  if (!h) throw invalid_state_error("aio: create_task() was given an empty coro (moved from?)");
  task<T> t(&h.promise());
  h.promise().start_task(loop, h, opts.name ? std::string(*opts.name) : std::string(), opts.eager);
  return t;
}

/// `create_task(c, {})`: as `create_task(c)`, no name (asyncio's `name=None`).
template <class T>
task<T> create_task(coro<T> c, detail::no_task_name /*unnamed*/) {
  return get_running_loop().create_task(std::move(c));
}

}  // namespace aio
