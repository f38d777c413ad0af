// gather's core, as CPython 3.13's gather()/_GatheringFuture. See gather_operation.hpp for the design.

#include <stdexcept>

#include "aio/combinators/detail/gather_operation.hpp"
#include "aio/detail/result_slot.hpp"

namespace aio::detail {

gather_core::gather_core(bool return_exceptions) noexcept : m_return_exceptions(return_exceptions) {
  m_cancel = &on_cancel;
  m_child_done = &on_group_done;
}

gather_core::~gather_core() {
  // asyncio marks the failures of children that end after the outcome as retrieved.
  while (node* n = m_nodes) {
    m_nodes = n->m_older;
    if (n->m_linked) {
      n->m_task->remove_waiter(n);
      if (m_decided) n->m_task->set(task_header::flag_retrieved);
    }
    delete n;
  }
  for (std::size_t i = 0; i < m_n; ++i) {
    task_header* t = task(i);
    if (t == nullptr) continue;
    if (t->remove_group_waiter(this) && m_decided) t->set(task_header::flag_retrieved);
    if (m_owns) t->release();
  }
}

void gather_core::attach(std::size_t borrowed) {
  m_borrowed_running = borrowed;
  // Children already done count in argument order, before any later completion (asyncio schedules
  // their callbacks first).
  for (std::size_t i = 0; i < m_n; ++i) {
    task_header* t = task(i);
    if (t->has(task_header::flag_done)) {
      child_done(t);
    } else if (t->m_waiters.empty()) {
      t->add_group_waiter(this);
    } else {
      auto* n = new node;
      n->m_wake = &on_node_done;
      n->m_core = this;
      n->m_task = t;
      n->m_older = m_nodes;
      m_nodes = n;
      t->add_waiter(n);
      n->m_linked = true;
    }
  }
  if (m_n == 0) decide(nullptr);
}

task_header* gather_core::awaiting_task(const group_waiter* g) noexcept {
  return g->m_child_done == &on_group_done ? static_cast<const gather_core*>(g)->m_self : nullptr;
}

task_header* gather_core::awaiting_task(const wait_node* n) noexcept {
  return n->m_wake == &on_node_done ? static_cast<const node*>(n)->m_core->m_self : nullptr;
}

void gather_core::on_group_done(group_waiter* g, task_header* t) noexcept {
  static_cast<gather_core*>(g)->child_done(t);
}

void gather_core::on_node_done(wait_node* wn) noexcept {
  auto* n = static_cast<node*>(wn);
  n->m_linked = false;
  n->m_core->child_done(n->m_task);
}

bool gather_core::is_borrowed(const task_header* t) const noexcept {
  for (std::size_t i = 0; i < m_n; ++i) {
    if (task(i) == t) return m_borrowed[i];
  }
  return false;
}

void gather_core::child_done(task_header* t) noexcept {
  ++m_finished;
  // Only a tuple has borrowed children, and only a few: a search costs less than a word per child.
  if (m_borrowed_running != 0 && is_borrowed(t)) --m_borrowed_running;
  const bool failed = t->has(task_header::flag_error);  // cancelled children hold a cancelled_error too
  if (m_decided) {
    if (failed && !t->has(task_header::flag_cancelled)) t->set(task_header::flag_retrieved);
    maybe_wake();
    return;
  }
  if (!m_return_exceptions && failed) {
    decide(t);
    return;
  }
  if (m_finished == m_n) decide(nullptr);
}

void gather_core::decide(task_header* failed) noexcept {
  m_decided = true;
  m_failed = failed;
  if (m_borrowed_running != 0) {
    // A helper still awaits an object in the caller's frame: stop it before the caller may resume.
    for (std::size_t i = 0; i < m_n; ++i) {
      if (m_borrowed[i]) task(i)->cancel();  // false for a finished one
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
    task_header* t = task(i);
    if (!t->has(task_header::flag_done) && t->cancel(msg)) any = true;
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
    m_failed->set(task_header::flag_retrieved);
    std::rethrow_exception(m_failed->error());
  }
  if (m_cancel_requested) throw cancelled_error(m_cancel_message);
}

}  // namespace aio::detail
