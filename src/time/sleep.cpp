#include "aio/time/sleep.hpp"

#include <stdexcept>

#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

sleep_operation::~sleep_operation() {
  if (armed()) running_loop()->remove_timer(this);
}

bool sleep_operation::await_suspend(std::coroutine_handle<> h) {
  m_task = current_task_header();
  if (m_task == nullptr) throw std::runtime_error("aio: sleep() awaited outside any aio task");
  if (m_task->has(task_header::flag_must_cancel)) return false;
  event_loop& loop = m_task->loop();
  m_task->m_resume = h;
  const clock::time_point now = loop.time();
  const clock::time_point when = m_absolute ? m_deadline : now + m_delay;
  if (when <= now) {
    // A zero (or past) sleep yields exactly once: straight to the back of the ready queue.
    m_task->wake();
    return true;
  }
  m_fire = &on_fire;
  m_cancel = &on_cancel;
  loop.add_timer(this, when);
  m_task->m_suspended = this;
  return true;
}

void sleep_operation::on_fire(timer_node* n) noexcept {
  auto* self = static_cast<sleep_operation*>(n);
  self->m_task->wake();
}

bool sleep_operation::on_cancel(suspension* s, const std::string& /*msg*/) noexcept {
  auto* self = static_cast<sleep_operation*>(s);
  self->m_task->loop().remove_timer(self);
  self->m_task->wake();
  return false;  // the task wakes with the request pending: await_resume throws
}

}  // namespace aio::detail
