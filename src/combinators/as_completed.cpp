// aio::as_completed, as CPython 3.13's _AsCompletedIterator: a FIFO of finished children, and one
// timeout_error per child still pending when the deadline passes.

#include <stdexcept>

#include "aio/combinators/detail/as_completed_operation.hpp"
#include "aio/errors.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

as_completed_waiter::~as_completed_waiter() {
  // The frame is destroyed while parked or holding a grant (the loop closed): leave the range whole.
  if (m_core == nullptr) return;
  if (m_linked) m_core->m_waiters.unlink(this);
  if (m_granted != nullptr) m_core->push_front_done(m_granted);
}

as_completed_core::as_completed_core() noexcept { m_fire = &on_fire; }

void as_completed_core::allocate(std::size_t n) {
  if (n != 0) m_children = std::make_unique<as_completed_child[]>(n);
  m_n = n;
}

as_completed_core::~as_completed_core() {
  if (armed()) loop_access::remove_timer(*running_loop(), this);
  for (std::size_t i = 0; i < m_n; ++i) {
    as_completed_child& c = m_children[i];
    if (c.m_linked) c.m_task->remove_waiter(&c);
    if (c.m_task != nullptr) c.m_task->release();
  }
}

void as_completed_core::start(bool timed, clock::duration timeout) {
  for (std::size_t i = 0; i < m_n; ++i) {
    as_completed_child& c = m_children[i];
    c.m_core = this;
    c.m_wake = &on_child_done;
    if (c.m_task->has(task_header::flag_done)) {
      push_done(&c);
    } else {
      c.m_task->add_waiter(&c);
      c.m_linked = true;
      ++m_unfinished;
    }
  }
  if (timed && m_unfinished != 0) {
    event_loop& loop = get_running_loop();
    const clock::time_point now = loop.time();
    if (timeout < clock::time_point::max() - now) loop_access::add_timer(loop, this, now + timeout);
  }
}

void as_completed_core::push_done(as_completed_child* c) noexcept {
  c->m_next_done = nullptr;
  if (m_done_tail != nullptr) {
    m_done_tail->m_next_done = c;
  } else {
    m_done_head = c;
  }
  m_done_tail = c;
}

void as_completed_core::push_front_done(as_completed_child* c) noexcept {
  c->m_next_done = m_done_head;
  m_done_head = c;
  if (m_done_tail == nullptr) m_done_tail = c;
}

as_completed_child* as_completed_core::pop_done() noexcept {
  as_completed_child* c = m_done_head;
  m_done_head = c->m_next_done;
  if (m_done_head == nullptr) m_done_tail = nullptr;
  c->m_next_done = nullptr;
  return c;
}

void as_completed_core::dispatch() noexcept {
  while (!m_waiters.empty() && available()) {
    auto* w = static_cast<as_completed_waiter*>(m_waiters.pop_front());
    w->m_linked = false;
    if (m_done_head != nullptr) {
      w->m_granted = pop_done();
    } else {
      --m_timeouts;
      w->m_timed_out = true;
    }
    w->m_self->wake();
  }
}

void as_completed_core::on_child_done(wait_node* n) noexcept {
  auto* c = static_cast<as_completed_child*>(n);
  as_completed_core* self = c->m_core;
  c->m_linked = false;
  --self->m_unfinished;
  self->push_done(c);
  if (self->m_unfinished == 0 && self->armed()) loop_access::remove_timer(*running_loop(), self);
  self->dispatch();
}

void as_completed_core::on_fire(timer_node* n) noexcept {
  auto* self = static_cast<as_completed_core*>(n);
  // The children keep running; whoever still waits for one of them gets a timeout_error instead.
  for (std::size_t i = 0; i < self->m_n; ++i) {
    as_completed_child& c = self->m_children[i];
    if (!c.m_linked) continue;
    c.m_task->remove_waiter(&c);
    c.m_linked = false;
    ++self->m_timeouts;
  }
  self->m_unfinished = 0;
  self->dispatch();
}

void as_completed_core::on_waiter_wake(wait_node* /*n*/) noexcept {}  // waiters are woken by dispatch()

bool as_completed_core::on_cancel(suspension* s, const std::string& /*msg*/) {
  auto* w = static_cast<as_completed_waiter*>(s);
  w->m_core->m_waiters.unlink(w);
  w->m_linked = false;
  --w->m_core->m_taken;  // its claim is withdrawn
  w->m_self->wake();
  return false;  // delivered in take()
}

bool as_completed_core::suspend(as_completed_waiter& w, std::coroutine_handle<> h) {
  w.m_self = current_task_header();
  if (w.m_self == nullptr) throw std::runtime_error("aio: as_completed() awaited outside any aio task");
  w.m_core = this;
  if (w.m_self->has(task_header::flag_must_cancel)) return false;
  if (m_taken == m_n) throw invalid_state_error("aio: as_completed(): more awaits than awaitables");
  ++m_taken;
  w.m_cancel = &on_cancel;
  w.m_wake = &on_waiter_wake;
  m_waiters.push_back(&w);
  w.m_linked = true;
  w.m_self->m_resume = h;
  w.m_self->m_suspended = &w;
  return true;
}

as_completed_child* as_completed_core::take(as_completed_waiter& w) {
  if (w.m_self == nullptr) {
    // Ready without suspending: take the front at once.
    if (m_taken == m_n) throw invalid_state_error("aio: as_completed(): more awaits than awaitables");
    ++m_taken;
    w.m_core = this;
    if (m_done_head != nullptr) return pop_done();
    --m_timeouts;
    return nullptr;
  }
  if (w.m_self->has(task_header::flag_must_cancel)) {
    // Cancelled after the hand-over, before it ran: give the result back for the next await.
    if (w.m_granted != nullptr || w.m_timed_out) {
      if (w.m_granted != nullptr) {
        push_front_done(w.m_granted);
        w.m_granted = nullptr;
      } else {
        ++m_timeouts;
        w.m_timed_out = false;
      }
      --m_taken;
      dispatch();
    }
    w.m_self->deliver_cancel();
  }
  as_completed_child* c = w.m_granted;
  w.m_granted = nullptr;
  return c;  // nullptr: the waiter was granted a timeout
}

}  // namespace aio::detail
