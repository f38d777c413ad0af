// aio::barrier, as CPython 3.13's asyncio.Barrier (itself threading.Barrier on an asyncio.Condition).
//
// asyncio's wait() holds the condition's lock only across code that never suspends, so the lock is
// always free when a woken task re-takes it: aio keeps the states and the count and drops the lock.
// What the condition's `notify_all` did is `m_waiters.wake_all()`: a waiting task decides at its own
// turn (from the state then) whether it passed or the round broke; a blocked task re-examines the
// barrier at its turn (waiter.hpp) and arrives, waits again, or finds it broken.

#include "aio/sync/barrier.hpp"

#include <stdexcept>

#include "aio/errors.hpp"

namespace aio {

barrier::barrier(std::ptrdiff_t parties) : m_parties(static_cast<std::size_t>(parties)) {
  if (parties < 1) throw std::invalid_argument("aio: a barrier needs at least one party");
}

void barrier::reset() noexcept {
  if (m_count > 0) {
    m_state = state::resetting;  // the tasks inside get broken_barrier_error; the last out reopens it
  } else {
    m_state = state::filling;
  }
  m_waiters.wake_all();
}

void barrier::abort() noexcept {
  m_state = state::broken;
  m_waiters.wake_all();
}

void barrier::leave() noexcept {
  --m_count;
  if (m_count != 0) return;
  if (m_state == state::draining || m_state == state::resetting) m_state = state::filling;
  m_waiters.wake_all();
}

namespace detail {

bool barrier_wait_operation::arrive() noexcept {
  barrier& b = *m_barrier;
  m_index = b.m_count++;
  if (m_index + 1 != b.m_parties) return false;
  b.m_state = barrier::state::draining;  // release the round
  b.m_waiters.wake_all();
  return true;
}

bool barrier_wait_operation::await_ready() noexcept {
  barrier& b = *m_barrier;
  if (b.m_state == barrier::state::broken) {
    m_phase = phase::broken;
    return true;
  }
  if (b.m_state == barrier::state::filling && b.m_count + 1 == b.m_parties) {
    arrive();
    m_phase = phase::tripped;
    return true;
  }
  return false;
}

bool barrier_wait_operation::await_suspend(std::coroutine_handle<> h) {
  if (!begin_suspend(h, "barrier::wait()")) return false;
  m_wake = &on_notify;
  m_cancel = &withdraw_on_cancel;
  m_recheck = &recheck;
  barrier& b = *m_barrier;
  if (b.m_state == barrier::state::filling) {
    arrive();  // not the last one: await_ready said so
    m_phase = phase::waiting;
  } else {
    m_phase = phase::blocked;  // draining or resetting: wait for the round to end
  }
  park(b.m_waiters);
  return true;
}

std::size_t barrier_wait_operation::await_resume() {
  barrier& b = *m_barrier;
  switch (m_phase) {
    case phase::broken:
      throw broken_barrier_error("aio: the barrier is broken (aborted)");
    case phase::tripped:
      b.leave();
      return m_index;
    case phase::none:
    case phase::blocked:
      throw_cancelled();  // never counted: nothing to undo
    case phase::waiting:  // withdrawn by a cancel
    case phase::woken:
      break;
  }
  const bool cancelled = m_withdrawn || cancel_requested();
  const bool broke = b.m_state == barrier::state::broken || b.m_state == barrier::state::resetting;
  b.leave();
  if (cancelled) throw_cancelled();
  if (broke) throw broken_barrier_error("aio: the barrier was reset or aborted while waiting");
  return m_index;
}

void barrier_wait_operation::on_notify(wait_node* n) noexcept {
  auto* self = static_cast<barrier_wait_operation*>(n);
  self->popped();
  if (self->m_phase == phase::waiting) {
    self->m_phase = phase::woken;
    self->resume_later();
  } else {
    self->recheck_later();
  }
}

bool barrier_wait_operation::recheck(sync_waiter* w) noexcept {
  auto* self = static_cast<barrier_wait_operation*>(w);
  barrier& b = *self->m_barrier;
  if (self->cancel_requested()) return true;  // still blocked: throws cancelled_error, never counted
  switch (b.m_state) {
    case barrier::state::broken:
      self->m_phase = phase::broken;
      return true;
    case barrier::state::draining:
    case barrier::state::resetting:
      self->park(b.m_waiters);  // the round is not over: wait again (at the back, as asyncio)
      return false;
    case barrier::state::filling:
      break;
  }
  if (self->arrive()) {
    self->m_phase = phase::tripped;
    return true;
  }
  self->m_phase = phase::waiting;
  self->park(b.m_waiters);
  return false;
}

}  // namespace detail
}  // namespace aio
