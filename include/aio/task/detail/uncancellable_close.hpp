#pragma once
/// @file uncancellable_close.hpp
/// The awaiter `with` and `async_exit_stack` use to run a close to completion whatever happens to the
/// task that awaits it.
///
/// Design note (docs/design/async_with.md): the close runs as its own task (eager: a close that never
/// suspends finishes inside the constructor), and the awaiting task parks on it with a cancel hook that
/// only notes the request. The close's own awaits therefore never see the cancellation; the request is
/// made pending again on the awaiting task when the close is over, so it is delivered, not lost.

#include <coroutine>
#include <exception>
#include <string>

#include "aio/detail/task_header.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/task.hpp"

namespace aio::detail {

/// `co_await uncancellable_close(c)`: runs `c` to its end and yields its failure (nullptr on success);
/// never throws, never delivers a cancellation (a request that arrived meanwhile stays pending on the
/// task: `deliver_cancel()` throws it).
class uncancellable_close : public suspension, public wait_node {
 public:
  explicit uncancellable_close(coro<> close);
  uncancellable_close(const uncancellable_close&) = delete;
  uncancellable_close& operator=(const uncancellable_close&) = delete;
  ~uncancellable_close();

  [[nodiscard]] bool await_ready() const noexcept { return m_task.done(); }
  bool await_suspend(std::coroutine_handle<> h);
  std::exception_ptr await_resume() noexcept;

 private:
  static void on_wake(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  task<> m_task;
  task_header* m_self = nullptr;
  bool m_linked = false;
  bool m_cancel_seen = false;
};

/// How a `with` (or an exit stack's close) ends once the body and the closes have run. `body` is the
/// body's failure (nullptr on success), `body_cancelled` whether that failure is `cancelled_error`,
/// `close` the first failure of the closes. Rethrows the winner (see docs/guide/async_with.md) and
/// reports a losing close failure to the loop's exception handler; returns when everything succeeded.
void finish_with(const std::exception_ptr& body, bool body_cancelled, const std::exception_ptr& close,
                 const char* what);

/// Reports a close failure nobody can see any more (hidden by an earlier failure).
void report_close_failure(const std::exception_ptr& e, const char* what) noexcept;

}  // namespace aio::detail
