// The item-independent part of aio's queues: asyncio.Queue's bookkeeping (CPython 3.13, shutdown
// included) and its getters and putters. See include/aio/queue/detail/queue_core.hpp.

#include "aio/queue/detail/queue_core.hpp"

#include <stdexcept>

#include "aio/errors.hpp"

namespace aio::detail {

// ---- queue_core --------------------------------------------------------------------------------

void queue_core::check_put() const {
  if (m_shutdown) throw queue_shut_down();
  if (full()) throw queue_full();
}

void queue_core::check_get() const {
  if (m_size != 0) return;
  if (m_shutdown) throw queue_shut_down();
  throw queue_empty();
}

void queue_core::added() noexcept {
  ++m_size;
  ++m_unfinished;
  m_finished.clear();
  m_getters.wake(1);
}

void queue_core::removed() noexcept {
  --m_size;
  m_putters.wake(1);
}

void queue_core::dropped(std::size_t n) noexcept {
  m_size -= n;
  m_unfinished -= n < m_unfinished ? n : m_unfinished;
  if (m_unfinished == 0) m_finished.set();
}

void queue_core::shut_down() noexcept {
  m_shutdown = true;
  // Every getter must look again: it takes what is left, or throws queue_shut_down once empty.
  m_getters.wake_all();
  m_putters.wake_all();
}

void queue_core::task_done() {
  if (m_unfinished == 0) throw std::invalid_argument("aio: queue::task_done() called too many times");
  if (--m_unfinished == 0) m_finished.set();
}

void queue_core::enlist(queue_waiter* w, waiter_list& list) noexcept {
  // Tickets increase along the list. A new waiter has the largest: back. One that waits again goes
  // before the first younger one (almost always near the front).
  wait_node* pos = nullptr;
  const wait_node* last = list.back();
  if (last != nullptr && static_cast<const queue_waiter*>(last)->m_ticket > w->m_ticket) {
    pos = list.front();
    while (static_cast<queue_waiter*>(pos)->m_ticket < w->m_ticket) pos = pos->m_next;
  }
  list.insert_before(pos, w);
}

// ---- queue_waiter ------------------------------------------------------------------------------

waiter_list& queue_waiter::own_list() const noexcept {
  return m_putter ? m_core->m_putters : m_core->m_getters;
}

bool queue_waiter::can_proceed() const noexcept {
  return m_core->m_shutdown || (m_putter ? !m_core->full() : !m_core->empty());
}

bool queue_waiter::await_ready() const noexcept { return can_proceed(); }

bool queue_waiter::await_suspend(std::coroutine_handle<> h) {
  if (!begin_suspend(h, m_putter ? "queue::put()" : "queue::get()")) return false;
  m_wake = &on_wake;
  m_cancel = &withdraw_on_cancel;
  m_recheck = &recheck;
  m_ticket = m_core->m_next_ticket++;
  waiter_list& list = own_list();
  list.push_back(this);
  m_list = &list;
  park_task();
  return true;
}

void queue_waiter::on_wake(wait_node* n) noexcept {
  auto* self = static_cast<queue_waiter*>(n);
  self->popped();
  self->recheck_later();
}

bool queue_waiter::recheck(sync_waiter* w) noexcept {
  auto* self = static_cast<queue_waiter*>(w);
  queue_core& core = *self->m_core;
  if (self->cancel_requested()) {
    // Woken, then cancelled before it ran: if what it was woken for is still there, the next waiter
    // gets the wake-up (asyncio's `_wakeup_next` in put()/get()'s except clause).
    if (self->m_putter ? !core.full() : !core.empty()) self->own_list().wake(1);
    return true;  // await_resume throws cancelled_error
  }
  if (self->can_proceed()) return true;
  // Someone that never waited took the item (or the slot) first: wait again, keeping the place.
  waiter_list& list = self->own_list();
  core.enlist(self, list);
  self->m_list = &list;
  self->park_task();
  return false;
}

}  // namespace aio::detail
