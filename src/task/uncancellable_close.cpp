// The uncancellable wait behind `with` and `async_exit_stack` (see uncancellable_close.hpp) and the
// rule that decides which failure a `with` rethrows.

#include "aio/task/detail/uncancellable_close.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

#include "aio/errors.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

uncancellable_close::uncancellable_close(coro<> close)
    // Eager: a close that does not suspend (a plain `close()`) is over before the awaiter suspends.
    : m_task(aio::create_task(std::move(close), task_options{.name = {}, .eager = true})) {}

uncancellable_close::~uncancellable_close() {
  // Only when the awaiting frame is destroyed while parked (its task was dropped at loop close).
  if (m_linked) m_task.header()->remove_waiter(this);
}

bool uncancellable_close::await_suspend(std::coroutine_handle<> h) {
  m_self = current_task_header();
  if (m_self == nullptr) throw std::runtime_error("aio: a close awaited outside any aio task");
  // A cancel request already pending is left pending (it is delivered after the close): unlike every
  // other awaiter this one suspends anyway.
  m_self->m_resume = h;
  m_self->m_suspended = this;
  m_cancel = &on_cancel;
  m_wake = &on_wake;
  m_task.header()->add_waiter(this);
  m_linked = true;
  return true;
}

std::exception_ptr uncancellable_close::await_resume() noexcept {
  // A request that came while the close ran is made pending now, unless it was uncancel()ed since.
  if (m_cancel_seen && m_self->cancelling() > 0) m_self->set(task_header::flag_must_cancel);
  task_header& t = *m_task.header();
  if (!t.has(task_header::flag_error)) return nullptr;
  t.set(task_header::flag_retrieved);
  return t.error();
}

void uncancellable_close::on_wake(wait_node* n) noexcept {
  auto* self = static_cast<uncancellable_close*>(n);
  self->m_linked = false;
  self->m_self->wake();
}

bool uncancellable_close::on_cancel(suspension* s, const std::string& /*msg*/) {
  // "Forwarded" to nobody: the wait goes on and the task stays parked; the request is only counted
  // (task_header::cancel did that) and noted, for await_resume.
  static_cast<uncancellable_close*>(s)->m_cancel_seen = true;
  return true;
}

void report_close_failure(const std::exception_ptr& e, const char* what) noexcept {
  exception_context ctx;
  try {
    ctx.message = std::string("aio: ") + what + ": a close failed while an earlier exception propagated";
  } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory; report without the message
  }
  ctx.exception = e;
  if (event_loop* loop = running_loop()) {
    loop->call_exception_handler(ctx);
    return;
  }
  std::fprintf(stderr, "%s\n", ctx.message.c_str());
}

void finish_with(const std::exception_ptr& body, bool body_cancelled, const std::exception_ptr& close,
                 const char* what) {
  task_header* self = current_task_header();
  if (body) {
    if (close) report_close_failure(close, what);
    if (self != nullptr) {
      if (body_cancelled) {
        // The body's cancelled_error already ends the task: a request that came during the close
        // is answered by it rather than delivered a second time.
        if (self->has(task_header::flag_must_cancel)) self->clear(task_header::flag_must_cancel);
      } else {
        self->deliver_cancel();  // a cancellation that came during the close wins (asyncio raises it there)
      }
    }
    std::rethrow_exception(body);
  }
  if (self != nullptr && (self->has(task_header::flag_must_cancel))) {
    if (close) report_close_failure(close, what);
    self->deliver_cancel();
  }
  if (close) std::rethrow_exception(close);
}

}  // namespace aio::detail
