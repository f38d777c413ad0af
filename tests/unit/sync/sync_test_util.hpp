#pragma once
// Helpers shared by the tests of the synchronisation primitives and queues.

#include <chrono>
#include <coroutine>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

namespace sync_test {

using namespace std::chrono_literals;

/// One loop turn: every task that is ready now takes one step before the caller continues.
inline auto turn() { return aio::sleep(0s); }

/// A timeout from another task: sleeps `d`, then cancels `t`.
inline aio::coro<> cancel_after(aio::task_handle t, aio::clock::duration d) {
  co_await aio::sleep(d);
  t.cancel();
}

/// Cancels `main` if the test is still running after an hour of (virtual) time: a lost wake-up then
/// fails the test at once instead of blocking the loop forever.
inline aio::coro<> watchdog(aio::task_handle main) {
  co_await aio::sleep(1h);
  ADD_FAILURE() << "the test hung (a lost wake-up?): cancelling it";
  main.cancel();
}

inline aio::coro<> guarded(aio::coro<> body) {
  auto dog = aio::create_task(watchdog(aio::current_task()));
  std::exception_ptr failure;
  try {
    co_await std::move(body);
  } catch (...) {
    failure = std::current_exception();
  }
  dog.cancel();
  try {
    co_await dog;
  } catch (const aio::cancelled_error&) {
  }
  if (failure) std::rethrow_exception(failure);
}

/// `aio_test::run` (virtual time, leak checks) with a watchdog.
inline void run(aio::coro<> body) { aio_test::run(guarded(std::move(body))); }

/// A coroutine that is not an aio task (no loop, no task): runs eagerly and keeps what it threw, to
/// check the "awaited outside any aio task" errors.
class bare {
 public:
  struct promise_type {
    std::exception_ptr error;
    bare get_return_object() { return bare(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };
  explicit bare(std::coroutine_handle<promise_type> h) : m_h(h) {}
  bare(bare&& o) noexcept : m_h(std::exchange(o.m_h, {})) {}
  bare(const bare&) = delete;
  bare& operator=(const bare&) = delete;
  bare& operator=(bare&&) = delete;
  ~bare() {
    if (m_h) m_h.destroy();
  }
  /// True when the body ran to its end (nothing suspended it for good).
  [[nodiscard]] bool done() const { return m_h.done(); }
  /// Rethrows what the body threw.
  void rethrow() const {
    if (m_h.promise().error) std::rethrow_exception(m_h.promise().error);
  }

 private:
  std::coroutine_handle<promise_type> m_h;
};

/// Runs `co_await make()` in a `bare` coroutine.
template <class Make>
bare await_outside(Make make) {
  co_await make();
}

}  // namespace sync_test
