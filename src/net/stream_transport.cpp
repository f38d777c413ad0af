// The connection state machine under stream_reader/stream_writer (see the header's design note).

#include "aio/net/detail/stream_transport.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "aio/errors.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

namespace {
constexpr std::size_t k_read_chunk = std::size_t{64} * 1024;

bool on_waiter_cancel(suspension* s, const std::string& /*msg*/) {
  auto* w = static_cast<transport_waiter*>(s);
  if (w->m_list != nullptr) {
    w->m_list->unlink(w);
    w->m_list = nullptr;
  }
  w->m_withdrawn = true;
  w->m_task->wake();
  return false;
}

void on_waiter_wake(wait_node* n) {
  auto* w = static_cast<transport_waiter*>(n);
  w->m_list = nullptr;
  w->m_task->wake();
}
}  // namespace

void park(transport_waiter& w, wait_list& list) {
  task_header* t = current_task_header();
  w.m_task = t;
  w.m_cancel = &on_waiter_cancel;
  w.m_wake = &on_waiter_wake;
  w.m_list = &list;
  list.push_back(&w);
  t->m_suspended = &w;
}

bool cancel_before_park(transport_waiter& w) noexcept {
  task_header* t = current_task_header();
  if (!t->has(task_header::flag_must_cancel)) return false;
  w.m_task = t;
  w.m_withdrawn = true;
  return true;
}

void finish_wait(transport_waiter& w) {
  if (w.m_withdrawn) {
    w.m_withdrawn = false;
    w.m_task->deliver_cancel();
  }
}

stream_transport::stream_transport(event_loop& loop, int fd, bool is_socket) : m_loop(&loop) {
  m_reg.m_fd = fd;
  m_reg.m_is_socket = is_socket;
  try {
    loop_access::attach_io(loop, m_reg);
  } catch (...) {
    ::close(fd);
    throw;
  }
}

stream_transport::~stream_transport() {
  m_closing = true;
  finish_close();
}

void stream_transport::release() noexcept {
  if (--m_refs == 0) delete this;
}

void stream_transport::release_handle() noexcept {
  if (--m_handles == 0 && !m_closing) {
    try {
      close();
    } catch (...) {  // NOLINT(bugprone-empty-catch): close() only throws for allocation failure
      abort();
    }
  }
  release();
}

// ---- reading --------------------------------------------------------------------------------------

bool stream_transport::read_now() {
  byte_buffer& target = m_filter ? m_wire_in : m_rbuf;
  // A buffer with room takes the bytes directly. Otherwise they land in a per-thread scratch buffer and
  // only what arrived is copied: a connection that is idle (or whose reads would block) never holds a
  // 64 KiB buffer, which is what keeps 10,000 idle connections cheap.
  thread_local std::unique_ptr<char[]> t_scratch;
  const bool direct = target.tail_room() >= k_read_chunk / 4;
  char* dest = nullptr;
  if (direct) {
    dest = target.prepare(0);
  } else {
    if (!t_scratch) t_scratch = std::make_unique_for_overwrite<char[]>(k_read_chunk);
    dest = t_scratch.get();
  }
  io_op op;
  op.m_kind = m_reg.m_is_socket ? io_kind::recv : io_kind::read;
  op.m_fd = m_reg.m_fd;
  op.m_reg = &m_reg;
  op.m_buf = dest;
  op.m_len = direct ? target.tail_room() : k_read_chunk;
  if (!loop_access::try_io(*m_loop, op)) return false;
  const std::int64_t r = op.m_result;
  if (r > 0) {
    if (direct) {
      target.commit(static_cast<std::size_t>(r));
    } else {
      target.append(std::string_view(dest, static_cast<std::size_t>(r)));
    }
    if (m_filter) {
      const std::size_t before = m_wbuf.size();
      const int err = m_filter->on_received(m_wire_in.view(), m_rbuf, m_wbuf);
      m_wire_in.consume(m_wire_in.size());
      if (err != 0) {
        m_read_error = err;
        m_read_error_detail = m_filter->last_error();
      }
      if (m_filter->peer_closed()) m_eof = true;
      if (m_wbuf.size() != before) start_flush();
    }
  } else if (r == 0) {
    m_eof = true;
    if (m_filter) {
      const int err = m_filter->on_wire_eof();
      if (err != 0) {
        m_read_error = err;
        m_read_error_detail = m_filter->last_error();
      }
    }
  } else {
    m_read_error = static_cast<int>(-r);
  }
  return true;
}

bool stream_transport::need_wait(std::size_t wanted) {
  m_wanted = wanted;
  while (!has_news()) {
    if (m_closed || m_read_pending) return !m_closed;
    if (!read_now()) return true;
  }
  return false;
}

void stream_transport::park_reader(transport_waiter& w) {
  if (!m_readers.empty()) {
    throw std::runtime_error("aio: read() called while another task is already waiting for incoming data");
  }
  park(w, m_readers);
  start_read_wait();
}

void stream_transport::start_read_wait() {
  if (m_read_pending || m_closed) return;
  m_read_op = io_op{};
  m_read_op.m_kind = io_kind::readable;
  m_read_op.m_fd = m_reg.m_fd;
  m_read_op.m_reg = &m_reg;
  m_read_op.m_complete = &on_read_ready;
  m_read_op.m_context = this;
  m_read_pending = true;
  add_ref();
  if (loop_access::submit_io(*m_loop, m_read_op)) {
    m_read_pending = false;
    --m_refs;  // completed in place; the caller still holds a reference
    on_readable();
  }
}

void stream_transport::on_read_ready(io_op& op) noexcept {
  auto* self = static_cast<stream_transport*>(op.m_context);
  self->m_read_pending = false;
  try {
    if (op.m_result < 0 && op.m_result != -ECANCELED) self->m_read_error = static_cast<int>(-op.m_result);
    self->on_readable();
  } catch (...) {
    self->m_read_error = ENOMEM;  // only allocation can throw here
    self->m_readers.wake_all();
  }
  self->release();
}

void stream_transport::on_readable() {
  if (m_closed) return;
  while (!has_news()) {
    if (!read_now()) {
      if (!m_readers.empty()) start_read_wait();  // spurious or partial record: keep waiting
      return;
    }
  }
  m_wanted = 1;
  m_readers.wake_all();
}

void stream_transport::throw_read_error() const {
  if (m_read_error == 0) return;
  std::string what = "aio: read from " + peername().to_string() + " failed";
  if (!m_read_error_detail.empty()) what += ": " + m_read_error_detail;
  throw std::system_error(m_read_error, std::generic_category(), what);
}

// ---- writing --------------------------------------------------------------------------------------

void stream_transport::write(std::string_view data) {
  if (m_closing) throw std::runtime_error("aio: write() on a closed stream");
  if (m_eof_requested) throw std::runtime_error("aio: write() after write_eof()");
  if (m_write_error != 0 || data.empty()) return;  // a failed stream drops writes; drain() reports
  if (m_filter) {
    m_filter->encode(data, m_wbuf);
    start_flush();
    return;
  }
  send_or_queue(data);
}

void stream_transport::send_or_queue(std::string_view wire) {
  if (!m_write_pending && m_wbuf.empty()) {
    // Nothing queued: send in place (asyncio's transport.write does the same), buffer only the rest.
    io_op op;
    op.m_kind = m_reg.m_is_socket ? io_kind::send : io_kind::write;
    op.m_fd = m_reg.m_fd;
    op.m_reg = &m_reg;
    op.m_buf = const_cast<char*>(wire.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast): only read
    op.m_len = wire.size();
    if (loop_access::try_io(*m_loop, op)) {
      if (op.m_result < 0) {
        fail_writes(static_cast<int>(-op.m_result));
        return;
      }
      wire.remove_prefix(static_cast<std::size_t>(op.m_result));
      m_bytes_sent += static_cast<std::uint64_t>(op.m_result);
    }
    if (wire.empty()) return;
  }
  m_wbuf.append(wire);
  start_flush();
}

void stream_transport::start_flush() {
  // The pending operation is a buffer-less writability wait: the buffer may grow (and move) while it
  // waits, and the bytes are sent from wherever they are when the fd is ready.
  while (!m_wbuf.empty() && m_write_error == 0 && !m_write_pending && !m_closed) {
    io_op op;
    op.m_kind = m_reg.m_is_socket ? io_kind::send : io_kind::write;
    op.m_fd = m_reg.m_fd;
    op.m_reg = &m_reg;
    op.m_buf = const_cast<char*>(m_wbuf.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast): only read
    op.m_len = m_wbuf.size();
    if (loop_access::try_io(*m_loop, op)) {
      if (op.m_result < 0) {
        fail_writes(static_cast<int>(-op.m_result));
        break;
      }
      m_wbuf.consume(static_cast<std::size_t>(op.m_result));
      m_bytes_sent += static_cast<std::uint64_t>(op.m_result);
      continue;
    }
    m_write_op = io_op{};
    m_write_op.m_kind = io_kind::writable;
    m_write_op.m_fd = m_reg.m_fd;
    m_write_op.m_reg = &m_reg;
    m_write_op.m_complete = &on_write_ready;
    m_write_op.m_context = this;
    m_write_pending = true;
    add_ref();
    if (!loop_access::submit_io(*m_loop, m_write_op)) return;
    m_write_pending = false;
    --m_refs;  // completed in place; the caller still holds a reference
  }
  if (!m_write_pending) after_flush();
}

void stream_transport::on_write_ready(io_op& op) noexcept {
  auto* self = static_cast<stream_transport*>(op.m_context);
  self->m_write_pending = false;
  if (op.m_result < 0 && op.m_result != -ECANCELED) self->fail_writes(static_cast<int>(-op.m_result));
  try {
    self->start_flush();
  } catch (...) {
    self->fail_writes(ENOMEM);
  }
  self->release();
}

void stream_transport::fail_writes(int err) noexcept {
  if (m_write_error == 0) m_write_error = err;
  m_wbuf.clear();
  m_drainers.wake_all();
}

void stream_transport::after_flush() {
  if (m_wbuf.size() <= m_low_water || m_write_error != 0) m_drainers.wake_all();
  if (!m_wbuf.empty() && m_write_error == 0) return;
  if (m_eof_requested && !m_eof_sent && !m_closed) {
    m_eof_sent = true;
    if (m_reg.m_is_socket) {
      ::shutdown(m_reg.m_fd, SHUT_WR);
    } else {
      m_closing = true;  // a pipe has no half-close: its write end closes (asyncio's write pipe transport)
    }
  }
  if (m_closing) finish_close();
}

void stream_transport::write_eof() {
  if (m_closing || m_eof_requested) return;
  if (m_filter) throw std::runtime_error("aio: write_eof() is not supported on a TLS stream");
  m_eof_requested = true;
  if (!m_write_pending) after_flush();
}

void stream_transport::set_write_buffer_limits(std::size_t high, std::size_t low) noexcept {
  m_high_water = high;
  m_low_water = low > high ? high : low;
}

bool stream_transport::must_drain() const noexcept {
  return m_write_error == 0 && !m_closed && m_wbuf.size() > m_high_water;
}

void stream_transport::park_drainer(transport_waiter& w) { park(w, m_drainers); }

void stream_transport::throw_write_error() const {
  if (m_write_error != 0) {
    throw std::system_error(m_write_error, std::generic_category(),
                            "aio: write to " + peername().to_string() + " failed");
  }
}

void stream_transport::flush_filter_output(std::string_view wire) {
  m_wbuf.append(wire);
  start_flush();
}

// ---- closing --------------------------------------------------------------------------------------

void stream_transport::close() {
  if (m_closing) return;
  m_closing = true;
  if (m_read_pending && loop_access::cancel_io(*m_loop, m_read_op)) {
    m_read_pending = false;
    --m_refs;  // the operation's reference; the caller holds another
  }
  m_eof = true;
  m_readers.wake_all();
  if (m_filter && m_write_error == 0 && !m_closed) {
    try {
      m_filter->encode_close(m_wbuf);
    } catch (...) {  // NOLINT(bugprone-empty-catch): no close_notify then; the fd still closes
    }
  }
  start_flush();
  if (!m_write_pending && !m_closed) finish_close();
}

void stream_transport::abort() {
  m_closing = true;
  m_wbuf.clear();
  finish_close();
}

void stream_transport::finish_close() noexcept {
  if (m_closed) return;
  m_closed = true;
  m_eof = true;
  if (m_read_pending && loop_access::cancel_io(*m_loop, m_read_op)) {
    m_read_pending = false;
    --m_refs;
  }
  if (m_write_pending && loop_access::cancel_io(*m_loop, m_write_op)) {
    m_write_pending = false;
    --m_refs;
  }
  loop_access::detach_io(*m_loop, m_reg);
  ::close(m_reg.m_fd);
  m_readers.wake_all();
  m_drainers.wake_all();
  m_closers.wake_all();
  if (m_list != nullptr) m_list->remove(*this);
}

void stream_transport::park_closer(transport_waiter& w) { park(w, m_closers); }

stream_transport::peek_result stream_transport::peek() const noexcept {
  if (m_closed) return peek_result::closed;
  if (!m_reg.m_is_socket) return peek_result::empty;
  char byte = 0;
  const ssize_t n = ::recv(m_reg.m_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return peek_result::bytes;
  if (n == 0) return peek_result::closed;  // the peer's FIN
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? peek_result::empty : peek_result::closed;
}

socket_address stream_transport::peername() const {
  if (m_peer.size() != 0 || !m_reg.m_is_socket || m_closed) return m_peer;
  auto len = static_cast<socklen_t>(socket_address::capacity());
  if (::getpeername(m_reg.m_fd, static_cast<sockaddr*>(m_peer.data()), &len) == 0) m_peer.resize(len);
  return m_peer;
}

socket_address stream_transport::sockname() const {
  socket_address a;
  if (!m_reg.m_is_socket || m_closed) return a;
  auto len = static_cast<socklen_t>(socket_address::capacity());
  if (::getsockname(m_reg.m_fd, static_cast<sockaddr*>(a.data()), &len) == 0) a.resize(len);
  return a;
}

// ---- connection_list ------------------------------------------------------------------------------

connection_list::~connection_list() {
  // Connections still open (their handles kept by the application) outlive the server: unhook them.
  for (stream_transport* t = m_head; t != nullptr;) {
    stream_transport* next = t->m_list_next;
    t->m_list = nullptr;
    t->m_list_prev = t->m_list_next = nullptr;
    t = next;
  }
}

void connection_list::push_front(stream_transport& t) noexcept {
  t.m_list = this;
  t.m_list_next = m_head;
  if (m_head != nullptr) m_head->m_list_prev = &t;
  m_head = &t;
  ++m_size;
}

void connection_list::remove(stream_transport& t) noexcept {
  if (t.m_list_prev != nullptr) t.m_list_prev->m_list_next = t.m_list_next;
  if (t.m_list_next != nullptr) t.m_list_next->m_list_prev = t.m_list_prev;
  if (m_head == &t) m_head = t.m_list_next;
  t.m_list_prev = t.m_list_next = nullptr;
  t.m_list = nullptr;
  --m_size;
}

}  // namespace aio::detail
