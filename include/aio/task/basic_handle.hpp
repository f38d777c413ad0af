#pragma once
/// @file basic_handle.hpp
/// What `aio::task<T>` and `aio::future<T>` share: a counted reference to a frame's result.

#include <concepts>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "aio/detail/callback.hpp"
#include "aio/detail/join_operation.hpp"
#include "aio/errors.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/task_handle.hpp"

namespace aio::detail {

template <class T>
class basic_handle;

/// A done callback: a wait node on the task that, when woken, puts itself on the ready queue.
class done_callback_base : public callback_item, public wait_node {
 public:
  done_callback_base() noexcept { m_wake = &on_wake; }
  /// The callback behind a node of a task's waiter list, or nullptr for any other kind of waiter.
  static done_callback_base* from(wait_node* n) noexcept {
    return n->m_wake == &on_wake ? static_cast<done_callback_base*>(n) : nullptr;
  }

 private:
  static void on_wake(wait_node* n) noexcept;
};

template <class Handle, class F>
class done_callback final : public done_callback_base {
 public:
  done_callback(Handle h, F&& fn) : m_handle(std::move(h)), m_fn(std::move(fn)) {}
  void invoke() override {
    if constexpr (std::invocable<F&, const Handle&>) {
      m_fn(m_handle);
    } else {
      m_fn();
    }
  }

 private:
  Handle m_handle;
  F m_fn;
};

template <class T>
class basic_handle {
 public:
  using value_type = T;
  using promise_type = promise<T>;

  basic_handle() noexcept = default;
  explicit basic_handle(promise<T>* p) noexcept : m_p(p) {
    if (m_p != nullptr) m_p->add_ref();
  }
  basic_handle(const basic_handle& o) noexcept : basic_handle(o.m_p) {}
  basic_handle(basic_handle&& o) noexcept : m_p(std::exchange(o.m_p, nullptr)) {}
  basic_handle& operator=(basic_handle o) noexcept {
    std::swap(m_p, o.m_p);
    return *this;
  }
  ~basic_handle() {
    if (m_p != nullptr) m_p->release();
  }

  explicit operator bool() const noexcept { return m_p != nullptr; }
  [[nodiscard]] bool done() const noexcept { return get().has(task_header::flag_done); }
  [[nodiscard]] bool cancelled() const noexcept { return get().has(task_header::flag_cancelled); }
  /// Requests cancellation; false if already done.
  bool cancel(std::string msg = {}) { return get().cancel(std::move(msg)); }

  /// The value (`const T&`), or rethrows the failure / `cancelled_error`.
  /// @par Errors
  /// `aio::invalid_state_error` if not done yet.
  decltype(auto) result() const {
    require_done("result");
    return take_result<T, false>(get());
  }
  /// The failure, or nullptr on success. Throws `cancelled_error` if cancelled (as asyncio).
  [[nodiscard]] std::exception_ptr exception() const {
    require_done("exception");
    auto& p = get();
    if (p.has(task_header::flag_cancelled)) std::rethrow_exception(p.error());
    p.set(task_header::flag_retrieved);
    return p.has(task_header::flag_error) ? p.error() : std::exception_ptr();
  }

  /// Calls `fn(handle)` or `fn()` through the ready queue when done (right away-ish if already done).
  /// Returns an id for `remove_done_callback`.
  template <class Self, class F>
  std::uintptr_t add_done_callback_impl(const Self& self, F&& fn) {
    auto* cb = new done_callback<Self, std::decay_t<F>>(self, std::decay_t<F>(std::forward<F>(fn)));
    auto& p = get();
    if (p.has(task_header::flag_done)) {
      loop_access::enqueue_callback(p.loop(), cb);
    } else {
      p.add_waiter(cb);
    }
    return reinterpret_cast<std::uintptr_t>(static_cast<done_callback_base*>(cb));
  }
  /// Removes a callback that has not been scheduled yet; returns how many were removed (0 or 1).
  std::size_t remove_done_callback(std::uintptr_t id) noexcept {
    auto& p = get();
    for (wait_node* n = p.m_waiters.front(); n != nullptr; n = task_wait_list::next(n)) {
      auto* cb = done_callback_base::from(n);
      if (cb != nullptr && reinterpret_cast<std::uintptr_t>(cb) == id) {
        p.remove_waiter(n);
        cb->release();
        return 1;
      }
    }
    return 0;
  }

  /// Waits for the result. `co_await h` yields a copy; `co_await std::move(h)` moves the value out.
  /// @par Cancellation
  /// Cancelling the awaiter cancels the awaited task or future (asyncio semantics); `shield` prevents it.
  template <bool Move>
  struct awaiter : join_operation {
    explicit awaiter(promise<T>* p) : join_operation(p) {}
    decltype(auto) await_resume() {
      after_resume();
      return take_result<T, Move>(*static_cast<promise<T>*>(m_target));
    }
  };
  awaiter<false> operator co_await() const& { return awaiter<false>(&get()); }
  awaiter<true> operator co_await() && { return awaiter<true>(&get()); }

  operator task_handle() const noexcept { return task_handle(m_p); }  // NOLINT(google-explicit-constructor)
  [[nodiscard]] promise<T>* promise_ptr() const noexcept { return m_p; }
  [[nodiscard]] task_header* header() const noexcept { return m_p; }

 protected:
  [[nodiscard]] promise<T>& get() const {
    if (m_p == nullptr) throw invalid_state_error("aio: use of an empty task or future handle");
    return *m_p;
  }
  void require_done(const char* what) const {
    if (!done()) {
      throw invalid_state_error(std::string("aio: ") + what + "() called before the task or future is done");
    }
  }

  promise<T>* m_p = nullptr;
};

}  // namespace aio::detail
