// aio::condition, as CPython 3.13's asyncio.Condition.
//
// A wait goes through these phases (condition_wait_operation::phase):
//   holding      -> the task holds the lock (before the wait, and when it ends)
//   waiting      -> lock released, linked in the condition's list until notified or cancelled
//   reacquiring  -> woken; at the task's own turn it takes the lock if it is free ...
//   lock_waiting -> ... or queues on the lock like any acquirer
//   lock_granted -> the lock was handed to it; it takes it at its turn
// The steps between "woken" and "holding" run in the re-examination trampoline (waiter.hpp), so the
// coroutine only resumes once it holds the lock again, exactly where asyncio's `wait()` returns.
// A cancel during `waiting` withdraws the waiter and moves it on to `reacquiring`; a cancel during
// `lock_waiting` is remembered and delivered once the lock is held (asyncio retries the acquire; the
// waiter keeps its place instead of going to the back of the lock's queue).

#include "aio/sync/condition.hpp"

#include <stdexcept>

namespace aio {

void condition::notify(std::size_t n) {
  if (!locked()) throw std::runtime_error("aio: condition::notify() without holding the lock");
  m_waiters.wake(n);
}

namespace detail {

condition_wait_operation::condition_wait_operation(condition& c) noexcept : m_cond(&c) {}

condition_wait_operation::~condition_wait_operation() {
  if (m_phase == phase::lock_granted) m_cond->m_lock->m_granted = false;  // dropped at loop close
}

void condition_wait_operation::check_locked() const {
  if (!m_cond->locked()) throw std::runtime_error("aio: condition::wait() without holding the lock");
}

bool condition_wait_operation::await_ready() const {
  check_locked();
  return false;
}

bool condition_wait_operation::await_suspend(std::coroutine_handle<> h) {
  // A cancel already pending is delivered at once, the lock still held (nothing to re-acquire).
  if (!begin_suspend(h, "condition::wait()")) return false;
  m_cancel = &on_cancel;
  m_recheck = &recheck;
  start_waiting();
  return true;
}

void condition_wait_operation::start_waiting() noexcept {
  m_phase = phase::waiting;
  m_notified = false;
  m_wake = &on_notify;
  m_cond->m_lock->release_held();
  park(m_cond->m_waiters);
}

void condition_wait_operation::await_resume() {
  // The lock is held again here, whatever happened.
  if (m_withdrawn || cancel_requested()) {
    // The notification this waiter consumed goes to the next one (asyncio's `_notify(1)` on the way
    // out; aio only does it when a notification was actually consumed: no spurious wake-up).
    if (m_notified) m_cond->m_waiters.wake(1);
    throw_cancelled();
  }
  if (m_error) std::rethrow_exception(m_error);
}

void condition_wait_operation::on_notify(wait_node* n) noexcept {
  auto* self = static_cast<condition_wait_operation*>(n);
  self->popped();
  self->m_notified = true;
  self->m_phase = phase::reacquiring;
  self->recheck_later();
}

void condition_wait_operation::on_lock_grant(wait_node* n) noexcept {
  auto* self = static_cast<condition_wait_operation*>(n);
  self->popped();
  self->m_phase = phase::lock_granted;
  self->recheck_later();
}

bool condition_wait_operation::on_cancel(suspension* s, const std::string& /*msg*/) noexcept {
  auto* self = static_cast<condition_wait_operation*>(s);
  self->m_withdrawn = true;
  if (self->m_phase == phase::waiting) {
    self->unlink();
    self->m_phase = phase::reacquiring;
    self->recheck_later();
  }
  // In lock_waiting the task stays queued for the lock: the cancel is delivered once it holds it.
  return false;
}

bool condition_wait_operation::recheck(sync_waiter* w) noexcept {
  auto* self = static_cast<condition_wait_operation*>(w);
  lock& lk = *self->m_cond->m_lock;
  if (self->m_phase == phase::reacquiring) {
    if (!lk.try_acquire()) {
      self->m_phase = phase::lock_waiting;
      self->m_wake = &on_lock_grant;
      self->park(lk.m_waiters);
      return false;
    }
  } else {  // lock_granted
    lk.take_grant();
  }
  self->m_phase = phase::holding;
  if (self->m_withdrawn || self->cancel_requested() || self->m_predicate == nullptr) return true;
  try {
    if (self->m_predicate(self)) return true;
  } catch (...) {
    self->m_error = std::current_exception();
    return true;
  }
  self->start_waiting();  // wait_for: not yet, wait again (at the back, as asyncio)
  return false;
}

}  // namespace detail
}  // namespace aio
