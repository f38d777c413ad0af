#include "aio/detail/join_operation.hpp"

#include <stdexcept>

#include "aio/runtime/detail/loop_access.hpp"
#include "aio/task/basic_handle.hpp"

namespace aio::detail {

join_operation::~join_operation() {
  // The awaiting frame is being destroyed while still registered (its task was dropped at loop close).
  if (m_linked) m_target->remove_waiter(this);
  m_target->release();
}

bool join_operation::await_suspend(std::coroutine_handle<> h) {
  m_self = current_task_header();
  if (m_self == nullptr) throw std::runtime_error("aio: co_await on a task or future outside any aio task");
  if (m_self == m_target) throw std::runtime_error("aio: a task cannot await itself");
  if (m_self->has(task_header::flag_must_cancel)) {
    // asyncio hands a pending cancel to the future the task is about to wait on: cancel the target
    // and wait for it to finish (its outcome, usually cancelled_error, becomes ours).
    if (!m_target->cancel(m_self->cancel_message())) return false;  // done already: deliver ours now
    m_self->clear(task_header::flag_must_cancel);
  }
  m_self->m_resume = h;
  m_self->m_suspended = this;
  m_cancel = &on_cancel;
  m_wake = &on_wake;
  m_target->add_waiter(this);
  m_linked = true;
  return true;
}

task_header* join_operation::awaiting_task(const wait_node* n) noexcept {
  return n->m_wake == &on_wake ? static_cast<const join_operation*>(n)->m_self : nullptr;
}

void join_operation::on_wake(wait_node* n) noexcept {
  auto* self = static_cast<join_operation*>(n);
  self->m_linked = false;
  self->m_self->wake();
}

bool join_operation::on_cancel(suspension* s, const std::string& msg) {
  auto* self = static_cast<join_operation*>(s);
  return self->m_target->cancel(msg);
}

void done_callback_base::on_wake(wait_node* n) noexcept {
  auto* self = static_cast<done_callback_base*>(n);
  loop_access::enqueue_callback(*home_loop(), self);
}

}  // namespace aio::detail
