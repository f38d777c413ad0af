#pragma once
/// @file coro.hpp
/// `aio::coro<T>`: a lazy coroutine (asyncio's `async def`). Nothing runs until it is awaited (inline,
/// by symmetric transfer: no scheduling) or wrapped in a task. Move-only.

#include <cassert>
#include <coroutine>
#include <exception>
#include <utility>

#include "aio/detail/frame_allocator.hpp"
#include "aio/detail/result_slot.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/errors.hpp"

namespace aio {

template <class T = void>
class coro;

namespace detail {

/// Replaces a finished task's (destroyed) value by `cancelled_error`, consuming the pending request.
void end_cancelled(task_header& t) noexcept;
/// The running task now runs in `h`: sets its resume point (no-op outside a task).
void resumed_in(std::coroutine_handle<> h) noexcept;

/// Final suspend: a task root finishes (wakes its awaiters through the ready queue); an inline
/// coroutine transfers straight back to the coroutine that awaited it.
struct final_awaiter {
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    task_header& p = h.promise();
    if (p.has(task_header::flag_task)) {
      if (p.has(task_header::flag_value) &&
          (p.has(task_header::flag_must_cancel) || p.has(task_header::flag_withdrawn))) [[unlikely]] {
        // A cancel request that no suspension point took (the task cancelled itself, then returned):
        // the task ends cancelled, its value dropped (asyncio's Task.__step, test_cancel_at_end).
        h.promise().m_slot.destroy(p);
        end_cancelled(p);
      }
      p.finish();  // may destroy the frame: touch nothing after it
      return std::noop_coroutine();
    }
    if (p.has(task_header::flag_inline_run)) {
      // Finished without suspending: return into the awaiter's await_suspend, which lets the caller
      // go on (coro::awaiter). No frame is left on the stack.
      p.clear(task_header::flag_inline_run);
      return std::noop_coroutine();
    }
    if (!p.m_resume) return std::noop_coroutine();
    // A coro that had suspended ends: its task goes on in the awaiting coroutine, and the task's resume
    // point must not name this frame, about to be destroyed (await graphs walk the chain from it while
    // the task runs: docs/design/debugging.md). Not on the path above, the common one.
    resumed_in(p.m_resume);
    return p.m_resume;
  }
  void await_resume() const noexcept {}
};

template <class T, class Derived>
class promise_return {
 public:
  template <class U = T>
  void return_value(U&& v) {
    auto& self = static_cast<Derived&>(*this);
    self.m_slot.emplace(self, std::forward<U>(v));
  }
};
template <class Derived>
class promise_return<void, Derived> {
 public:
  void return_void() noexcept {
    auto& self = static_cast<Derived&>(*this);
    self.m_slot.emplace(self);
  }
};

/// The promise of every aio coroutine: the task header plus the result.
template <class T>
class promise final : public task_header, public promise_return<T, promise<T>> {
 public:
  promise() = default;
  promise(const promise&) = delete;
  promise& operator=(const promise&) = delete;
  ~promise() { m_slot.destroy(*this); }

  coro<T> get_return_object() noexcept;
  std::suspend_always initial_suspend() const noexcept { return {}; }
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { set_error(std::current_exception()); }

  static void* operator new(std::size_t n) { return allocate_frame(n); }
  static void operator delete(void* p, std::size_t n) noexcept { deallocate_frame(p, n); }

  result_slot<T> m_slot;  // first member after the header: at k_result_offset
};

/// Gives the value of a finished frame or rethrows its failure (`Move`: move the value out).
template <class T, bool Move>
decltype(auto) take_result(promise<T>& p) {
  rethrow_if_error(p);
  if constexpr (std::is_void_v<T>) {
    return;
  } else if constexpr (Move) {
    return T(std::move(p.m_slot.value()));
  } else {
    return static_cast<const T&>(p.m_slot.value());
  }
}

}  // namespace detail

/// A lazy coroutine returning `T`.
/// @par Cancellation
/// Awaiting a coro does not suspend the task, so it is not itself a cancellation point; the coro's own
/// suspension points are.
/// @par Errors
/// Awaiting an empty (moved-from) or already awaited coro throws `aio::invalid_state_error`.
template <class T>
class [[nodiscard]] coro {
 public:
  using promise_type = detail::promise<T>;
  using value_type = T;
  using handle_type = std::coroutine_handle<promise_type>;

  coro() noexcept = default;
  explicit coro(handle_type h) noexcept : m_h(h) {}
  coro(coro&& o) noexcept : m_h(std::exchange(o.m_h, {})) {}
  coro& operator=(coro&& o) noexcept {
    if (this != &o) {
      reset();
      m_h = std::exchange(o.m_h, {});
    }
    return *this;
  }
  coro(const coro&) = delete;
  coro& operator=(const coro&) = delete;
  ~coro() { reset(); }

  /// True when this object owns a coroutine.
  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(m_h); }
  explicit operator bool() const noexcept { return valid(); }
  /// Gives up ownership of the frame (used by `create_task`).
  [[nodiscard]] handle_type release() noexcept { return std::exchange(m_h, {}); }

  struct awaiter {
    handle_type m_h;
    [[nodiscard]] bool await_ready() const {
      if (!m_h) throw invalid_state_error("aio: awaiting an empty coro (moved from, or given to a task)");
      if (m_h.done()) throw invalid_state_error("aio: awaiting a coro that was already awaited");
      return false;
    }
    // The body is started by a plain call, not by symmetric transfer: g++ makes symmetric transfer a
    // tail call only when optimising, so at -O0/-O1 (Debug, sanitizers) a loop awaiting coros that
    // finish without suspending (readline on buffered data) grew the stack by a frame per iteration
    // until it overflowed. Now a coro that finishes at once returns here and the caller continues
    // without suspending; one that suspends is resumed by the loop, and its final_awaiter transfers
    // back to the caller as before.
    bool await_suspend(std::coroutine_handle<> caller) noexcept {
      auto& p = m_h.promise();
      p.m_resume = caller;
      p.set(detail::task_header::flag_inline_run);
      m_h.resume();
      if (!p.has(detail::task_header::flag_inline_run)) return false;  // finished: the caller goes on
      p.clear(detail::task_header::flag_inline_run);  // suspended: it will come back by transfer
      return true;
    }
    decltype(auto) await_resume() { return detail::take_result<T, true>(m_h.promise()); }
  };
  awaiter operator co_await() & noexcept { return awaiter{m_h}; }
  awaiter operator co_await() && noexcept { return awaiter{m_h}; }

 private:
  void reset() noexcept {
    if (m_h) {
      // A coro that failed and was never awaited would hide its error; the frame is simply dropped,
      // as Python drops a never-awaited coroutine.
      m_h.destroy();
      m_h = {};
    }
  }
  handle_type m_h;
};

template <class T>
coro<T> detail::promise<T>::get_return_object() noexcept {
  auto h = std::coroutine_handle<promise>::from_promise(*this);
  // task_header::frame() relies on the promise sitting right after the frame's two function pointers,
  // which both g++ and clang++ do; this check fails loudly on a compiler that differs.
  assert(h.address() == task_header::frame().address());
  assert(reinterpret_cast<char*>(&m_slot) ==
         reinterpret_cast<char*>(static_cast<task_header*>(this)) + k_result_offset);
  return coro<T>(h);
}

}  // namespace aio
