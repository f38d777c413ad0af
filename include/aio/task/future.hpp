#pragma once
/// @file future.hpp
/// `aio::future<T>`: a result that someone else sets (asyncio's Future).

#include <coroutine>
#include <exception>
#include <utility>

#include "aio/runtime/event_loop.hpp"
#include "aio/task/basic_handle.hpp"
#include "aio/task/coro.hpp"

namespace aio {

namespace detail {
/// A future is a coroutine frame that never runs: it reuses the task header (waiters, cancellation,
/// callbacks, result) with one allocation and no second mechanism.
template <class T>
coro<T> future_frame() {
  for (;;) co_await std::suspend_always{};
}
}  // namespace detail

/// A pending result bound to the running loop. Copies share the state.
/// @par Cancellation
/// `cancel()` completes the future as cancelled and wakes its awaiters with `cancelled_error`.
/// Cancelling a task that awaits a future cancels the future (asyncio semantics).
/// @par Errors
/// Setting a result or exception twice throws `aio::invalid_state_error`.
/// @par Thread safety
/// Use on the loop's thread only; from other threads go through `call_soon_threadsafe`.
template <class T = void>
class future : public detail::basic_handle<T> {
 public:
  /// A pending future of the running loop (`std::runtime_error` outside a loop).
  future() : detail::basic_handle<T>(make()) { this->m_p->release(); }

  template <class U = T>
  requires(!std::is_void_v<T>) void set_result(U&& v) {
    auto& p = pending("set_result");
    p.m_slot.emplace(p, std::forward<U>(v));
    p.finish();
  }
  void set_result() requires std::is_void_v<T> {
    auto& p = pending("set_result");
    p.m_slot.emplace(p);
    p.finish();
  }
  void set_exception(std::exception_ptr e) {
    if (!e) throw std::invalid_argument("aio: future::set_exception() needs a non-null exception_ptr");
    auto& p = pending("set_exception");
    p.set_error(std::move(e));
    p.finish();
  }
  template <class F>
  std::uintptr_t add_done_callback(F&& fn) {
    return this->add_done_callback_impl(*this, std::forward<F>(fn));
  }

 private:
  static detail::promise<T>* make() {
    (void)get_running_loop();
    auto h = detail::future_frame<T>().release();
    auto& p = h.promise();
    p.set(static_cast<detail::task_header::flag>(detail::task_header::flag_task |
                                                 detail::task_header::flag_started |
                                                 detail::task_header::flag_future));
    p.add_ref();  // dropped by the constructor once the handle holds its own
    return &p;
  }
  detail::promise<T>& pending(const char* what) {
    auto& p = this->get();
    if (p.has(detail::task_header::flag_done)) {
      throw invalid_state_error(std::string("aio: future::") + what + "() on a future that is already done");
    }
    return p;
  }
};

template <class T>
future<T> event_loop::create_future() {
  check_thread("create_future");
  return future<T>();
}

}  // namespace aio
