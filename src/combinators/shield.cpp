// shield's awaiter, as CPython 3.13's shield(): an outer wait that can be cancelled on its own.

#include <stdexcept>

#include "aio/combinators/shield.hpp"

namespace aio::detail {

shield_core::~shield_core() {
  if (m_inner == nullptr) return;  // moved from
  if (m_linked) m_inner->remove_waiter(this);
  m_inner->release();
}

bool shield_core::await_suspend(std::coroutine_handle<> h) {
  m_self = current_task_header();
  if (m_self == nullptr) throw std::runtime_error("aio: shield() awaited outside any aio task");
  // A pending cancel is delivered at once (the outer future is cancelled; the inner is not), unless
  // the inner work uses the caller's objects: then the caller waits for it first.
  if (m_self->has(task_header::flag_must_cancel) && !m_borrowed) return false;
  m_self->m_resume = h;
  m_self->m_suspended = this;
  m_cancel = &on_cancel;
  m_wake = &on_wake;
  m_inner->add_waiter(this);
  m_linked = true;
  return true;
}

task_header* shield_core::awaiting_task(const wait_node* n) noexcept {
  return n->m_wake == &on_wake ? static_cast<const shield_core*>(n)->m_self : nullptr;
}

void shield_core::on_wake(wait_node* n) noexcept {
  auto* self = static_cast<shield_core*>(n);
  self->m_linked = false;
  self->m_self->wake();
}

bool shield_core::on_cancel(suspension* s, const std::string& /*msg*/) {
  auto* self = static_cast<shield_core*>(s);
  // Borrowed: stay parked; the request is delivered when the inner work is done.
  if (self->m_borrowed) return false;
  self->m_inner->remove_waiter(self);
  self->m_linked = false;
  // Nobody will look at the inner outcome through this shield any more (asyncio: inner.exception()).
  self->m_inner->set(task_header::flag_retrieved);
  self->m_self->wake();
  return false;  // the request stays pending: await_resume throws it
}

}  // namespace aio::detail
