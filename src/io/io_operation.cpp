// The operation awaiter: suspension, completion and the two shapes of cancellation (withdrawn at once
// on epoll; acknowledged later by the kernel on io_uring).

#include "aio/io/detail/io_operation.hpp"

#include <cerrno>

#include "aio/errors.hpp"
#include "aio/runtime/detail/loop_access.hpp"

namespace aio::detail {

bool io_operation::await_suspend(std::coroutine_handle<> h) {
  task_header* t = current_task_header();
  if (t->has(task_header::flag_must_cancel)) {
    m_task = t;  // nothing submitted: await_resume delivers the pending cancel
    m_op.m_result = -ECANCELED;
    return false;
  }
  m_op.m_complete = &on_complete;
  m_op.m_context = this;
  if (loop_access::submit_io(*m_loop, m_op)) {
    if (!coop_exhausted()) return false;
    coop_yield(h);  // completed in place on a spent budget: the result waits for the next step
    return true;
  }
  m_task = t;
  t->m_resume = h;
  t->m_suspended = this;
  return true;
}

std::int64_t io_operation::await_resume() {
  if (m_task != nullptr) {
    if (m_cancel_requested) {
      if (m_op.m_result == -ECANCELED) throw cancelled_error(m_task->cancel_message());
      // The operation won the race with the cancel: keep its result, deliver the cancel at the next
      // suspension point (as a future that completed before cancel() was called).
      m_task->set(task_header::flag_must_cancel);
    } else if (m_op.m_result == -ECANCELED) {
      m_task->deliver_cancel();
    }
  }
  return m_op.m_result;
}

bool io_operation::on_cancel(suspension* s, const std::string& /*msg*/) {
  auto* self = static_cast<io_operation*>(s);
  if (loop_access::cancel_io(*self->m_loop, self->m_op)) {
    self->m_op.m_result = -ECANCELED;
    self->m_task->wake();
    return false;  // withdrawn: the task delivers the cancel when it resumes
  }
  self->m_cancel_requested = true;
  return true;  // the completion (-ECANCELED or the result) resumes the task
}

void io_operation::on_complete(io_op& op) noexcept {
  auto* self = static_cast<io_operation*>(op.m_context);
  self->m_task->wake();
}

}  // namespace aio::detail
