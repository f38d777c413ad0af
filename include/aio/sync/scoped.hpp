#pragma once
/// @file scoped.hpp
/// `auto held = co_await aio::scoped(x);`: asyncio's `async with lock:` for `aio::lock`,
/// `aio::semaphore` (and `bounded_semaphore`) and `aio::condition`.

#include <concepts>
#include <coroutine>
#include <utility>

namespace aio {

/// What `scoped` accepts: `co_await x.acquire()` takes it, `x.release()` gives it back.
template <class T>
concept scoped_lockable = requires(T& x) {
  x.acquire();
  x.release();
};

namespace detail {
/// Reports a release that threw in a guard's destructor to the running loop's exception handler
/// (stderr without a loop): a destructor cannot throw, and asyncio reports such errors the same way.
void report_release_failure() noexcept;
}  // namespace detail

/// Holds an acquired lock, semaphore permit or condition lock and releases it in its destructor.
/// Move-only.
/// @par Errors
/// `unlock()` rethrows what `release()` throws (an `aio::lock` released behind the guard's back:
/// `std::runtime_error`); the destructor reports it to the loop's exception handler instead.
/// @par Thread safety
/// Use on the loop's thread only.
template <scoped_lockable Lockable>
class [[nodiscard]] scoped_guard {
 public:
  /// An empty guard (owns nothing).
  scoped_guard() noexcept = default;
  /// Adopts an acquisition the caller already made.
  explicit scoped_guard(Lockable& x) noexcept : m_x(&x) {}
  scoped_guard(scoped_guard&& o) noexcept : m_x(std::exchange(o.m_x, nullptr)) {}
  scoped_guard& operator=(scoped_guard&& o) noexcept {
    if (this != &o) {
      reset();
      m_x = std::exchange(o.m_x, nullptr);
    }
    return *this;
  }
  scoped_guard(const scoped_guard&) = delete;
  scoped_guard& operator=(const scoped_guard&) = delete;
  /// Releases what it holds.
  ~scoped_guard() { reset(); }

  /// Releases now (std::unique_lock's spelling); the guard then owns nothing.
  /// @par Errors
  /// What `release()` throws.
  void unlock() {
    if (m_x != nullptr) std::exchange(m_x, nullptr)->release();
  }
  /// True while the guard holds something.
  [[nodiscard]] bool owns_lock() const noexcept { return m_x != nullptr; }
  /// `owns_lock()`.
  explicit operator bool() const noexcept { return owns_lock(); }

 private:
  void reset() noexcept {
    if (m_x == nullptr) return;
    try {
      std::exchange(m_x, nullptr)->release();
    } catch (...) {
      detail::report_release_failure();
    }
  }
  Lockable* m_x = nullptr;
};

namespace detail {
/// The awaiter of `scoped(x)`: `x.acquire()`'s awaiter, then a guard.
template <class Lockable>
class scoped_operation {
 public:
  explicit scoped_operation(Lockable& x) noexcept(noexcept(x.acquire())) : m_x(&x), m_acquire(x.acquire()) {}
  [[nodiscard]] bool await_ready() { return m_acquire.await_ready(); }
  auto await_suspend(std::coroutine_handle<> h) { return m_acquire.await_suspend(h); }
  scoped_guard<Lockable> await_resume() {
    m_acquire.await_resume();
    return scoped_guard<Lockable>(*m_x);
  }

 private:
  Lockable* m_x;
  decltype(std::declval<Lockable&>().acquire()) m_acquire;
};
}  // namespace detail

/// Acquires `x` and returns a guard that releases it: `auto held = co_await aio::scoped(lk);`
/// (asyncio's `async with lk:`).
/// @par Cancellation
/// As `x.acquire()`: cancel-safe; a cancelled acquisition throws `aio::cancelled_error`, returns no
/// guard and holds nothing.
/// @par Errors
/// What `x.acquire()` throws.
/// @par Example
/// @code
/// aio::lock lk;
/// {
///   auto held = co_await aio::scoped(lk);
///   // ... critical section ...
/// }  // released here, even on an exception
/// @endcode
template <scoped_lockable Lockable>
[[nodiscard]] detail::scoped_operation<Lockable> scoped(Lockable& x) {
  return detail::scoped_operation<Lockable>(x);
}

}  // namespace aio
