// aio::wait, as CPython 3.13's asyncio._wait: count completions, release the waiter when return_when
// is met or the timeout passes; never cancel a task.

#include <stdexcept>

#include "aio/combinators/wait.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

wait_core::wait_core(std::size_t n, return_when when, bool timed, clock::duration timeout)
    : m_children(std::make_unique<wait_child[]>(n)),
      m_n(n),
      m_timeout(timeout),
      m_when(when),
      m_timed(timed) {
  m_cancel = &on_cancel;
  m_fire = &on_fire;
}

wait_core::~wait_core() { detach(); }

task_header* wait_core::awaiting_task(const wait_node* n) noexcept {
  return n->m_wake == &on_child_done ? static_cast<const wait_child*>(n)->m_core->m_self : nullptr;
}

void wait_core::detach() noexcept {
  for (std::size_t i = 0; i < m_n; ++i) {
    wait_child& c = m_children[i];
    if (c.m_linked) {
      c.m_task->remove_waiter(&c);
      c.m_linked = false;
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
    if (m_children[i].m_task->has(task_header::flag_done)) --m_pending;
  }
  for (std::size_t i = 0; i < m_n && !met; ++i) {
    if (m_children[i].m_task->has(task_header::flag_done)) met = satisfied_by(m_children[i].m_task);
  }
  if (met) {
    // Already satisfied: yield once (asyncio's callbacks of done futures run on the next iteration).
    m_self->wake();
    return true;
  }
  for (std::size_t i = 0; i < m_n; ++i) {
    wait_child& c = m_children[i];
    if (c.m_task->has(task_header::flag_done)) continue;
    c.m_core = this;
    c.m_wake = &on_child_done;
    c.m_task->add_waiter(&c);
    c.m_linked = true;
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

void wait_core::on_child_done(wait_node* n) noexcept {
  auto* c = static_cast<wait_child*>(n);
  c->m_linked = false;
  wait_core* self = c->m_core;
  --self->m_pending;
  if (self->satisfied_by(c->m_task)) self->release_waiter();
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
