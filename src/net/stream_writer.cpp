// stream_writer: drain() and wait_closed() awaiters, get_extra_info.

#include "aio/net/stream_writer.hpp"

#include <stdexcept>

#include "aio/detail/coop_budget.hpp"

namespace aio {

namespace detail {

bool stream_writer_wait_operation::await_ready() {
  switch (m_what) {
    case what::drain:
      return coop_spend() && !m_t->must_drain();
    case what::flushed:
      return !m_t->sendfile_must_wait();
    case what::closed:
      break;
  }
  return m_t->is_closed();
}

bool stream_writer_wait_operation::await_suspend(std::coroutine_handle<> h) {
  if (cancel_before_park(m_waiter)) return false;
  if (m_what == what::drain && coop_exhausted() && !m_t->must_drain()) {
    coop_yield(h);  // below the high-water mark, but the step's budget is spent
    return true;
  }
  current_task_header()->m_resume = h;
  if (m_what != what::closed) {
    m_t->park_drainer(m_waiter);
  } else {
    m_t->park_closer(m_waiter);
  }
  return true;
}

void stream_writer_wait_operation::await_resume() {
  finish_wait(m_waiter);
  if (m_what != what::closed) m_t->throw_write_error();
}

}  // namespace detail

std::any stream_writer::get_extra_info(std::string_view name) const {
  if (name == "peername") return m_t->peername();
  if (name == "sockname") return m_t->sockname();
  if (name == "socket") return m_t->fd();
  if (name == "ssl_object") {
    if (m_t->filter() != nullptr) return m_t->filter()->native_handle();
    return {};
  }
  if (m_t->filter() != nullptr) return m_t->filter()->extra_info(name);
  return {};
}

}  // namespace aio
