// aio::lock, as CPython 3.13's asyncio.Lock: FIFO hand-off with no queue-jumping, and a grant that a
// cancelled waiter passes on.

#include "aio/sync/lock.hpp"

#include <stdexcept>

namespace aio {

void lock::release() {
  if (!m_locked) throw std::runtime_error("aio: lock::release() on a lock that is not acquired");
  m_locked = false;
  wake_first();
}

bool lock::try_acquire() noexcept {
  if (m_locked || m_granted || !m_waiters.empty()) return false;
  m_locked = true;
  return true;
}

void lock::wake_first() noexcept {
  if (m_locked || m_granted) return;
  if (detail::wait_node* n = m_waiters.pop_front()) {
    m_granted = true;
    n->m_wake(n);
  }
}

namespace detail {

lock_acquire_operation::~lock_acquire_operation() {
  // Dropped with the grant in hand (the loop closed before the task ran): the grant dies with it.
  if (m_granted) m_lock->m_granted = false;
}

bool lock_acquire_operation::await_ready() noexcept { return m_lock->try_acquire(); }

bool lock_acquire_operation::await_suspend(std::coroutine_handle<> h) {
  if (!begin_suspend(h, "lock::acquire()")) return false;
  m_wake = &on_grant;
  m_cancel = &on_cancel;
  park(m_lock->m_waiters);
  return true;
}

void lock_acquire_operation::await_resume() {
  if (m_task == nullptr) return;  // fast path: taken in await_ready
  if (m_granted) {
    m_granted = false;
    if (!cancel_requested()) {
      m_lock->take_grant();
      return;
    }
    m_lock->return_grant();  // cancelled after the grant, before running: the next waiter gets it
  }
  throw_cancelled();
}

void lock_acquire_operation::on_grant(wait_node* n) noexcept {
  auto* self = static_cast<lock_acquire_operation*>(n);
  self->popped();
  self->m_granted = true;
  self->resume_later();
}

bool lock_acquire_operation::on_cancel(suspension* s, const std::string& /*msg*/) noexcept {
  auto* self = static_cast<lock_acquire_operation*>(s);
  self->unlink();
  self->m_withdrawn = true;
  self->resume_later();
  // By the lock's invariant (free with waiters implies a grant in flight) this cannot wake anyone, but
  // it keeps CPython's "ensure the head will run" guarantee explicit.
  self->m_lock->wake_first();
  return false;
}

}  // namespace detail
}  // namespace aio
