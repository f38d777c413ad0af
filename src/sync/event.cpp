// aio::event, as asyncio.Event: set() wakes everyone; a woken waiter returns even if cleared since.

#include "aio/sync/event.hpp"

namespace aio {

void event::set() noexcept {
  if (m_value) return;
  m_value = true;
  m_waiters.wake_all();
}

namespace detail {

bool event_wait_operation::await_ready() const noexcept { return m_event->m_value; }

bool event_wait_operation::await_suspend(std::coroutine_handle<> h) {
  if (!begin_suspend(h, "event::wait()")) return false;
  m_wake = &on_set;
  m_cancel = &withdraw_on_cancel;
  park(m_event->m_waiters);
  return true;
}

void event_wait_operation::await_resume() {
  if (m_task != nullptr) deliver_cancel();
}

void event_wait_operation::on_set(wait_node* n) noexcept {
  auto* self = static_cast<event_wait_operation*>(n);
  self->popped();
  self->resume_later();
}

}  // namespace detail
}  // namespace aio
