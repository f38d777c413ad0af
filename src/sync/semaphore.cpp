// aio::semaphore, as CPython 3.13's asyncio.Semaphore: a permit is reserved for a waiter when it is
// woken; a waiter cancelled before it ran gives it back; every successful or cancelled acquire wakes
// as many queued waiters as there are permits left (the fixes of gh-90155 and gh-104607).

#include "aio/sync/semaphore.hpp"

#include <stdexcept>

namespace aio {

semaphore::semaphore(std::ptrdiff_t value) : semaphore(value, -1) {}

semaphore::semaphore(std::ptrdiff_t value, std::ptrdiff_t bound) : m_value(value), m_bound(bound) {
  if (value < 0) throw std::invalid_argument("aio: semaphore initial value must be >= 0");
}

void semaphore::release() {
  if (m_bound >= 0 && m_value >= m_bound) {
    throw std::invalid_argument("aio: bounded_semaphore released too many times");
  }
  ++m_value;
  wake_next();
}

bool semaphore::locked() const noexcept { return m_value == 0 || !m_waiters.empty() || m_in_flight != 0; }

bool semaphore::wake_next() noexcept {
  detail::wait_node* n = m_waiters.pop_front();
  if (n == nullptr) return false;
  --m_value;
  ++m_in_flight;
  n->m_wake(n);
  return true;
}

namespace detail {

semaphore_acquire_operation::~semaphore_acquire_operation() {
  if (m_granted) {  // dropped with a reserved permit (the loop closed first): give it back quietly
    --m_sem->m_in_flight;
    ++m_sem->m_value;
  }
}

bool semaphore_acquire_operation::await_ready() noexcept {
  if (m_sem->locked()) return false;
  --m_sem->m_value;
  return true;
}

bool semaphore_acquire_operation::await_suspend(std::coroutine_handle<> h) {
  if (!begin_suspend(h, "semaphore::acquire()")) return false;
  m_wake = &on_grant;
  m_cancel = &withdraw_on_cancel;
  park(m_sem->m_waiters);
  return true;
}

void semaphore_acquire_operation::await_resume() {
  if (m_task == nullptr) return;  // fast path: taken in await_ready
  const bool granted = m_granted;
  m_granted = false;
  const bool cancelled = !granted || cancel_requested();
  if (granted) {
    --m_sem->m_in_flight;
    if (cancelled) ++m_sem->m_value;  // cancelled after the permit was reserved: give it back
  }
  // Waiters that arrived while we were being woken had to queue (FIFO): wake as many as allowed.
  m_sem->wake_while_available();
  if (cancelled) throw_cancelled();
}

void semaphore_acquire_operation::on_grant(wait_node* n) noexcept {
  auto* self = static_cast<semaphore_acquire_operation*>(n);
  self->popped();
  self->m_granted = true;
  self->resume_later();
}

}  // namespace detail
}  // namespace aio
