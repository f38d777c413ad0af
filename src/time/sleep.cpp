#include "aio/time/sleep.hpp"

#include <stdexcept>

#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

bool suspend_sleeping(std::coroutine_handle<> h, clock::rep ticks, bool absolute) {
  task_header* t = current_task_header();
  if (t == nullptr) throw std::runtime_error("aio: sleep() awaited outside any aio task");
  if (t->has(task_header::flag_must_cancel)) return false;
  t->m_resume = h;
  if (!absolute && ticks <= 0) {
    // A zero sleep yields exactly once, straight to the back of the ready queue (no clock read).
    t->wake();
    return true;
  }
  event_loop& loop = t->loop();
  const clock::time_point now = loop.time();
  const clock::time_point when =
      absolute ? clock::time_point(clock::duration(ticks)) : saturating_add(now, clock::duration(ticks));
  if (when <= now) {
    t->wake();
    return true;
  }
  loop_access::add_timer(loop, t, when);
  t->m_suspended = &task_header::sleeping;
  return true;
}

void resume_sleeping() { current_task_header()->deliver_cancel(); }

}  // namespace aio::detail
