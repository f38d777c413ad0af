// gather's core, as CPython 3.13's gather()/_GatheringFuture. See gather_operation.hpp for the design.

#include <stdexcept>

#include "aio/combinators/detail/gather_operation.hpp"
#include "aio/detail/result_slot.hpp"

namespace aio::detail {

gather_core::gather_core(bool return_exceptions) noexcept : m_return_exceptions(return_exceptions) {
  m_cancel = &on_cancel;
}

gather_core::~gather_core() {
  for (std::size_t i = 0; i < m_n; ++i) {
    gather_slot& s = m_slots[i];
    if (s.m_task == nullptr) continue;
    if (s.m_linked) {
      s.m_task->remove_waiter(&s);
      s.m_linked = false;
      // asyncio marks the failures of children that end after the outcome as retrieved.
      if (m_decided) s.m_task->set(task_header::flag_retrieved);
    }
    s.m_task->release();
    s.m_task = nullptr;
  }
}

void gather_core::attach() noexcept {
  for (std::size_t i = 0; i < m_n; ++i) {
    gather_slot& s = m_slots[i];
    s.m_core = this;
    s.m_wake = &on_child_done;
    if (s.m_borrowed) ++m_borrowed_running;
  }
  // Children already done count in argument order, before any later completion (asyncio schedules
  // their callbacks first).
  for (std::size_t i = 0; i < m_n; ++i) {
    gather_slot& s = m_slots[i];
    if (s.m_task->has(task_header::flag_done)) {
      child_done(s);
    } else {
      s.m_task->add_waiter(&s);
      s.m_linked = true;
    }
  }
  if (m_n == 0) decide(nullptr);
}

void gather_core::on_child_done(wait_node* n) noexcept {
  auto* s = static_cast<gather_slot*>(n);
  s->m_core->child_done(*s);
}

void gather_core::child_done(gather_slot& s) noexcept {
  s.m_linked = false;
  s.m_finished = true;
  ++m_finished;
  if (s.m_borrowed) --m_borrowed_running;
  task_header* t = s.m_task;
  const bool failed = t->has(task_header::flag_error);  // cancelled children hold a cancelled_error too
  if (m_decided) {
    if (failed && !t->has(task_header::flag_cancelled)) t->set(task_header::flag_retrieved);
    maybe_wake();
    return;
  }
  if (!m_return_exceptions && failed) {
    decide(&s);
    return;
  }
  if (m_finished == m_n) decide(nullptr);
}

void gather_core::decide(gather_slot* failed) noexcept {
  m_decided = true;
  m_failed = failed;
  if (m_borrowed_running != 0) {
    // A helper still awaits an object in the caller's frame: stop it before the caller may resume.
    for (std::size_t i = 0; i < m_n; ++i) {
      gather_slot& s = m_slots[i];
      if (s.m_borrowed && !s.m_finished) s.m_task->cancel();
    }
  }
  maybe_wake();
}

void gather_core::maybe_wake() noexcept {
  if (m_waiting && ready()) {
    m_waiting = false;
    m_self->wake();
  }
}

bool gather_core::cancel_children(const std::string& msg) {
  m_cancel_message = msg;
  // Set before cancelling: a future child completes inside cancel() and may decide the outcome.
  m_cancel_requested = true;
  bool any = false;
  for (std::size_t i = 0; i < m_n; ++i) {
    gather_slot& s = m_slots[i];
    if (!s.m_finished && s.m_task->cancel(msg)) any = true;
  }
  if (!any && !m_decided) m_cancel_requested = false;
  return any;
}

bool gather_core::on_cancel(suspension* sp, const std::string& msg) {
  auto* self = static_cast<gather_core*>(sp);
  // The outcome is known and borrowed helpers are winding down: the cancel is delivered at resume.
  if (self->m_decided) return false;
  return self->cancel_children(msg);
}

bool gather_core::suspend(std::coroutine_handle<> h) {
  m_self = current_task_header();
  if (m_self == nullptr) throw std::runtime_error("aio: gather() awaited outside any aio task");
  if (m_self->has(task_header::flag_must_cancel) && !m_decided) {
    // asyncio: a task that awaits a future with a cancel pending cancels that future, here the children.
    if (cancel_children(m_self->cancel_message())) m_self->clear(task_header::flag_must_cancel);
  }
  if (ready()) return false;
  if (m_self->has(task_header::flag_must_cancel) && m_borrowed_running == 0) return false;
  m_self->m_resume = h;
  m_self->m_suspended = this;
  m_waiting = true;
  return true;
}

void gather_core::resume() {
  if (m_self != nullptr) m_self->deliver_cancel();
  if (m_failed != nullptr) {
    m_failed->m_task->set(task_header::flag_retrieved);
    std::rethrow_exception(m_failed->m_task->error());
  }
  if (m_cancel_requested) throw cancelled_error(m_cancel_message);
}

}  // namespace aio::detail
