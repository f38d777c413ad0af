// aio::task_group, as CPython 3.13's asyncio.TaskGroup plus the later fixes noted in
// task_group_operation.hpp. The comments name the asyncio method each function mirrors.

#include <stdexcept>

#include "aio/combinators/task_group.hpp"
#include "aio/detail/result_slot.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio {

namespace {
bool is_cancellation(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error&) {
    return true;
  } catch (...) {
    return false;
  }
}
}  // namespace

task_group::~task_group() {
  // Only when the loop closes with the parent still waiting: the children's nodes outlive the group.
  for (auto* c = m_first; c != nullptr; c = c->m_next_child) c->m_group = nullptr;
}

// __aenter__
void task_group::enter() {
  m_parent = detail::current_task_header();
  if (m_parent == nullptr)
    throw std::runtime_error("aio: task_group::run() cannot determine the parent task");
}

void task_group::check_open() const {
  if (m_exiting && m_children == 0)
    throw std::runtime_error("aio: create_task() on a task_group that is finished");
  if (m_aborting) throw std::runtime_error("aio: create_task() on a task_group that is shutting down");
}

// create_task, after the task is made
void task_group::adopt(detail::task_header* t) {
  auto* c = new detail::task_group_child(this, t);
  c->m_next_child = m_first;
  if (m_first != nullptr) m_first->m_prev_child = c;
  m_first = c;
  ++m_children;
  // gh-128550: the done callback always goes through the loop, even for a task already done.
  if (t->has(detail::task_header::flag_done)) {
    detail::loop_access::enqueue_callback(t->loop(), c);
  } else {
    t->add_waiter(c);
  }
}

// _abort
void task_group::abort() noexcept {
  m_aborting = true;
  for (auto* c = m_first; c != nullptr; c = c->m_next_child) {
    if (!c->m_task->has(detail::task_header::flag_done)) c->m_task->cancel();
  }
}

// _on_task_done
void task_group::on_child_done(detail::task_group_child* c) noexcept {
  (c->m_prev_child != nullptr ? c->m_prev_child->m_next_child : m_first) = c->m_next_child;
  if (c->m_next_child != nullptr) c->m_next_child->m_prev_child = c->m_prev_child;
  c->m_group = nullptr;
  --m_children;
  if (m_children == 0 && m_joiner != nullptr) m_joiner->wake();

  detail::task_header* t = c->m_task;
  if (t->has(detail::task_header::flag_cancelled) || !t->has(detail::task_header::flag_error)) return;
  t->set(detail::task_header::flag_retrieved);
  m_errors.push_back(t->error());
  if (!m_aborting && !m_parent_cancel_requested) {
    // Stop the body too; run() takes this request back with uncancel() on the way out.
    abort();
    m_parent_cancel_requested = true;
    m_parent->cancel();
  }
}

// TaskGroup.cancel (3.14)
void task_group::cancel() {
  if (m_exiting && m_children == 0) return;
  if (m_aborting) return;
  abort();
  if (!m_parent_cancel_requested) {
    m_parent_cancel_requested = true;
    m_parent->cancel();
  }
}

// _aexit, before the wait loop
void task_group::begin_exit(const std::exception_ptr& body_error) noexcept {
  m_exiting = true;
  if (body_error && is_cancellation(body_error)) m_propagate = body_error;
  if (body_error && !m_aborting) abort();
}

// _aexit, `except CancelledError` inside the wait loop
void task_group::exit_cancelled(std::exception_ptr e) noexcept {
  m_pending = e;
  if (!m_aborting) {
    // The parent is being cancelled from outside while the children still run.
    m_propagate = std::move(e);
    abort();
  }
}

// _aexit, after the wait loop
void task_group::end_exit(const std::exception_ptr& body_error) {
  if (m_parent_cancel_requested) {
    // Our own request must be taken back; if none is left, there is no cancellation to propagate.
    if (m_parent->uncancel() == 0) {
      m_propagate = nullptr;
    } else if (!m_propagate) {
      m_propagate = m_pending;  // gh-155433: the remaining cancellation is not ours, keep it
    }
  }
  if (m_propagate && m_errors.empty()) std::rethrow_exception(m_propagate);
  if (body_error && !is_cancellation(body_error)) m_errors.push_back(body_error);
  if (m_errors.empty()) return;
  // Failures win over an outside cancel; re-request it so the parent still sees it at its next await.
  if (m_parent->cancelling() != 0) {
    m_parent->uncancel();
    m_parent->cancel();
  }
  throw exception_group("aio: unhandled errors in a task_group", std::move(m_errors));
}

namespace detail {

task_group_child::task_group_child(task_group* group, task_header* task) noexcept
    : m_group(group), m_task(task) {
  m_task->add_ref();
}

task_group_child::~task_group_child() {
  if (m_group != nullptr) {
    // Freed before its task finished (the loop closed): leave the group's list whole.
    (m_prev_child != nullptr ? m_prev_child->m_next_child : m_group->m_first) = m_next_child;
    if (m_next_child != nullptr) m_next_child->m_prev_child = m_prev_child;
    --m_group->m_children;
  }
  m_task->release();
}

task_header* task_group_child::awaiting_task(wait_node* n) noexcept {
  auto* child = dynamic_cast<task_group_child*>(done_callback_base::from(n));
  return child != nullptr && child->m_group != nullptr ? child->m_group->m_parent : nullptr;
}

void task_group_child::invoke() {
  if (m_group != nullptr) m_group->on_child_done(this);
}

bool task_group_join_operation::await_ready() const noexcept { return m_group->m_children == 0; }

bool task_group_join_operation::await_suspend(std::coroutine_handle<> h) {
  m_self = current_task_header();
  if (m_self->has(task_header::flag_must_cancel)) return false;
  m_self->m_resume = h;
  m_self->m_suspended = this;
  m_cancel = &on_cancel;
  m_group->m_joiner = this;
  m_parked = true;
  return true;
}

void task_group_join_operation::await_resume() const {
  if (m_self != nullptr) m_self->deliver_cancel();
}

void task_group_join_operation::wake() noexcept {
  m_group->m_joiner = nullptr;
  m_parked = false;
  m_self->wake();
}

bool task_group_join_operation::on_cancel(suspension* s, const std::string& /*msg*/) {
  auto* self = static_cast<task_group_join_operation*>(s);
  self->wake();
  return false;  // thrown at resume; run() catches it and keeps waiting
}

task_group_join_operation::~task_group_join_operation() {
  if (m_parked) m_group->m_joiner = nullptr;
}

}  // namespace detail
}  // namespace aio
