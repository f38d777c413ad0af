// aio::wait, as CPython 3.13's asyncio._wait: count completions, release the waiter when return_when
// is met or the timeout passes; never cancel a task.

#include <stdexcept>

#include "aio/combinators/wait.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

wait_core::wait_core(const void* children, wait_task_at at, std::size_t n, return_when when, bool timed,
                     clock::duration timeout) noexcept
    : m_children(children), m_task_at(at), m_n(n), m_timeout(timeout), m_when(when), m_timed(timed) {
  m_cancel = &on_cancel;
  m_fire = &on_fire;
  m_child_done = &on_group_done;
}

wait_core::~wait_core() {
  detach();
  while (node* n = m_nodes) {
    m_nodes = n->m_older;
    delete n;
  }
}

task_header* wait_core::awaiting_task(const group_waiter* g) noexcept {
  return g->m_child_done == &on_group_done ? static_cast<const wait_core*>(g)->m_self : nullptr;
}

task_header* wait_core::awaiting_task(const wait_node* n) noexcept {
  return n->m_wake == &on_node_done ? static_cast<const node*>(n)->m_core->m_self : nullptr;
}

void wait_core::detach() noexcept {
  if (m_attached) {
    m_attached = false;
    for (std::size_t i = 0; i < m_n; ++i) task(i)->remove_group_waiter(this);  // false if not there
    for (node* n = m_nodes; n != nullptr; n = n->m_older) {
      if (n->m_linked) {
        n->m_task->remove_waiter(n);
        n->m_linked = false;
      }
    }
  }
  if (armed()) loop_access::remove_timer(*running_loop(), this);
}

bool wait_core::satisfied_by(task_header* t) noexcept {
  if (m_pending == 0 || m_when == return_when::first_completed) return true;
  if (m_when == return_when::first_exception && t->has(task_header::flag_error) &&
      !t->has(task_header::flag_cancelled)) {
    t->set(task_header::flag_retrieved);  // asyncio looked at it with f.exception()
    return true;
  }
  return false;
}

bool wait_core::suspend(std::coroutine_handle<> h) {
  m_self = current_task_header();
  if (m_self == nullptr) throw std::runtime_error("aio: wait() awaited outside any aio task");
  if (m_self->has(task_header::flag_must_cancel)) return false;
  m_self->m_resume = h;
  bool met = false;
  m_pending = m_n;
  for (std::size_t i = 0; i < m_n; ++i) {
    if (task(i)->has(task_header::flag_done)) --m_pending;
  }
  for (std::size_t i = 0; i < m_n && !met; ++i) {
    if (task(i)->has(task_header::flag_done)) met = satisfied_by(task(i));
  }
  if (met) {
    // Already satisfied: yield once (asyncio's callbacks of done futures run on the next iteration).
    m_self->wake();
    return true;
  }
  m_attached = true;  // before the first node: the destructor withdraws what was registered
  for (std::size_t i = 0; i < m_n; ++i) {
    task_header* t = task(i);
    if (t->has(task_header::flag_done)) continue;
    if (t->m_waiters.empty()) {
      t->add_group_waiter(this);
      continue;
    }
    auto* n = new node;
    n->m_wake = &on_node_done;
    n->m_core = this;
    n->m_task = t;
    n->m_older = m_nodes;
    m_nodes = n;
    t->add_waiter(n);
    n->m_linked = true;
  }
  if (m_timed) {
    event_loop& loop = m_self->loop();
    const clock::time_point now = loop.time();
    if (m_timeout < clock::time_point::max() - now) loop_access::add_timer(loop, this, now + m_timeout);
  }
  m_self->m_suspended = this;
  m_waiting = true;
  return true;
}

void wait_core::release_waiter() noexcept {
  detach();
  if (m_waiting) {
    m_waiting = false;
    m_self->wake();
  }
}

void wait_core::on_group_done(group_waiter* g, task_header* t) noexcept {
  static_cast<wait_core*>(g)->child_done(t);
}

void wait_core::on_node_done(wait_node* wn) noexcept {
  auto* n = static_cast<node*>(wn);
  n->m_linked = false;
  n->m_core->child_done(n->m_task);
}

void wait_core::child_done(task_header* t) noexcept {
  --m_pending;
  if (satisfied_by(t)) release_waiter();
}

void wait_core::on_fire(timer_node* n) noexcept { static_cast<wait_core*>(n)->release_waiter(); }

bool wait_core::on_cancel(suspension* s, const std::string& /*msg*/) {
  auto* self = static_cast<wait_core*>(s);
  self->release_waiter();
  return false;  // delivered by resume(); the tasks are untouched
}

void wait_core::resume() {
  detach();
  if (m_self != nullptr) m_self->deliver_cancel();
}

}  // namespace aio::detail
