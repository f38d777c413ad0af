// The deadline scope of wait_for/timeout/timeout_at, as CPython 3.13's asyncio.timeouts.Timeout.

#include <stdexcept>

#include "aio/combinators/detail/timeout_operation.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

timeout_scope::~timeout_scope() {
  // The frame is being destroyed mid-await (the loop closed): leave no timer pointing at it.
  if (armed()) loop_access::remove_timer(*running_loop(), this);
}

void timeout_scope::enter(const deadline& d) {
  m_task = current_task_header();
  if (m_task == nullptr) throw std::runtime_error("aio: a timeout was awaited outside any aio task");
  m_cancelling = m_task->cancelling();
  m_state = state::entered;
  event_loop& loop = m_task->loop();
  clock::time_point when = d.when;
  if (!d.absolute) {
    const clock::time_point now = loop.time();
    // Saturate: a delay too long to represent means "no deadline".
    when = d.delay >= clock::time_point::max() - now ? clock::time_point::max() : now + d.delay;
  }
  if (when == clock::time_point::max()) return;
  // A deadline already past fires on the next iteration (asyncio: call_soon), after the inner work
  // had its first step.
  loop_access::add_timer(loop, this, when);
}

void timeout_scope::on_fire(timer_node* n) noexcept {
  auto* self = static_cast<timeout_scope*>(n);
  self->m_state = state::expiring;
  self->m_task->cancel();
}

bool timeout_scope::exit(bool ended_by_cancel) noexcept {
  if (armed()) loop_access::remove_timer(m_task->loop(), this);
  if (m_state == state::expiring) {
    m_state = state::expired;
    return m_task->uncancel() <= m_cancelling && ended_by_cancel;
  }
  if (m_state == state::entered) m_state = state::exited;
  return false;
}

}  // namespace aio::detail
