// aio::files::file: buffered reads and writes at explicit offsets, each request on a worker thread,
// consistent under cancellation. The state and its invariants are described in file_state.hpp.

#include "aio/fs/file.hpp"

#include <algorithm>
#include <cerrno>
#include <coroutine>
#include <limits>
#include <string>
#include <utility>

#include "aio/combinators/shield.hpp"
#include "aio/errors.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/sync/scoped.hpp"
#include "errors.hpp"
#include "file_state.hpp"

namespace aio::files {

namespace detail {

file_state::file_state(file_ops& ops, opened_file opened, std::string name, std::string mode_text,
                       open_mode mode)
    : m_ops(&ops),
      m_fd(std::move(opened.fd)),
      m_name(std::move(name)),
      m_mode_text(std::move(mode_text)),
      m_mode(mode),
      m_pos(mode.append ? opened.size : 0) {}

file_state::~file_state() {
  // Python's ResourceWarning for a file never closed, in debug mode only (AIO_DEBUG=1).
  if (!m_closed && m_fd) {
    if (event_loop* loop = aio::detail::running_loop(); loop != nullptr && loop->get_debug()) {
      loop->call_exception_handler(
          {.message = "Unclosed file '" + m_name + "' (call co_await f.close(), or use aio::with)",
           .exception = nullptr,
           .task_name = {}});
    }
  }
  // No request runs any more (each holds a reference to this state), so nothing else writes: the
  // buffered bytes go out with one blocking call on this thread, errors ignored (close() reports them).
  if (m_closed || !m_fd || m_wbuf.empty()) return;
  (void)posix::write_at(m_fd->get(), m_wbuf, m_mode.append ? -1 : m_wbuf_off);
  // m_fd closes the descriptor when its last owner lets go.
}

namespace {

using state_ptr = std::shared_ptr<file_state>;
constexpr std::size_t all = std::numeric_limits<std::size_t>::max();

[[noreturn]] void throw_closed(const file_state* s, const char* what) {
  if (s == nullptr) {
    throw invalid_state_error(std::string("aio::files: ") + what + "() on a closed file (moved from?)");
  }
  throw invalid_state_error(std::string("aio::files: ") + what + "(): I/O operation on closed file '" +
                            s->m_name + "'");
}

using turn_guard = scoped_guard<aio::lock>;

/// The awaiter of one operation's turn on the file (see file_state.hpp): the turn lock's `acquire()`,
/// then a guard that gives the turn to the next waiter when the operation ends. A file closed while
/// the operation waited is refused at its turn.
class turn_operation {
 public:
  turn_operation(file_state& s, const char* what) noexcept
      : m_state(&s), m_what(what), m_acquire(s.m_turn.acquire()) {}
  [[nodiscard]] bool await_ready() noexcept { return m_acquire.await_ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return m_acquire.await_suspend(h); }
  turn_guard await_resume() {
    m_acquire.await_resume();  // cancelled while waiting: throws, the queue is left as it was
    turn_guard held(m_state->m_turn);
    if (m_state->m_closed) throw_closed(m_state, m_what);  // `held` passes the turn on
    return held;
  }

 private:
  file_state* m_state;
  const char* m_what;
  aio::detail::lock_acquire_operation m_acquire;
};

/// Waits for this operation's turn: `const turn_guard turn = co_await take_turn(s, "read");`. Refuses
/// a file already closed (or moved from) at once, without waiting.
turn_operation take_turn(file_state* s, const char* what) {
  if (s == nullptr || s->m_closed) throw_closed(s, what);
  return {*s, what};
}

void require_readable(const file_state& s, const char* what) {
  if (!s.m_mode.read) {
    throw_error(EBADF, std::string(what) + ": not readable (opened with mode '" + s.m_mode_text + "')",
                s.m_name);
  }
}

void require_writable(const file_state& s, const char* what) {
  if (!s.m_mode.write) {
    throw_error(EBADF, std::string(what) + ": not writable (opened with mode '" + s.m_mode_text + "')",
                s.m_name);
  }
}

// ---- requests: the in-flight task (see file_state.hpp) ------------------------------------------

/// The task of one request: runs `body`, which applies its result to the state, and keeps its failure
/// for whoever awaits the request.
coro<void> request_task(state_ptr state, coro<void> body) {
  // Locals, not parameters: they are destroyed when the body ends, before the frame (which the state's
  // m_inflight handle keeps) is, so the state and the task never keep each other alive.
  const state_ptr s = std::move(state);
  coro<void> b = std::move(body);
  try {
    co_await std::move(b);
  } catch (...) {  // cancelled_error too: the loop is closing and cancelled the request's task
    s->m_outcome = std::current_exception();
  }
}

/// Starts `body` as the file's request and waits for it. If the awaiter is cancelled, the request goes
/// on and the next operation settles it.
coro<void> run_request(state_ptr s, coro<void> body, bool writes) {
  task_options opts;
  opts.eager = true;  // submitted now, not on the next loop iteration
  s->m_inflight = create_task(request_task(s, std::move(body)), std::move(opts));
  s->m_inflight_writes = writes;
  co_await aio::shield(*s->m_inflight);
  s->m_inflight.reset();
  if (std::exception_ptr e = std::exchange(s->m_outcome, nullptr)) std::rethrow_exception(e);
}

/// Waits for a request left by a cancelled awaiter. Its result is already applied; a write failure is
/// thrown here, since nobody saw it.
coro<void> settle(state_ptr s) {
  if (!s->m_inflight->done()) co_await aio::shield(*s->m_inflight);
  s->m_inflight.reset();
  std::exception_ptr e = std::exchange(s->m_outcome, nullptr);
  if (!e || !s->m_inflight_writes) co_return;
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error&) {
    co_return;  // abandoned while the loop closed: nothing to report
  }
}

// ---- the read buffer ----------------------------------------------------------------------------

std::size_t available(const file_state& s) {
  if (s.m_rbuf.empty()) return 0;
  return s.m_rbuf.size() - static_cast<std::size_t>(s.m_pos - s.m_rbuf_start);
}

void drop_read_buffer(file_state& s) {
  s.m_rbuf.clear();
  s.m_rbuf_start = s.m_pos;
  s.m_scanned = 0;
  s.m_eof_at = -1;
}

/// True when a fill found the end of the file right where the buffered bytes end.
bool at_known_end(const file_state& s) {
  const std::int64_t buffer_end =
      s.m_rbuf.empty() ? s.m_pos : s.m_rbuf_start + static_cast<std::int64_t>(s.m_rbuf.size());
  return s.m_eof_at >= 0 && s.m_eof_at == buffer_end;
}

/// Consumes up to `n` buffered bytes.
std::string take(file_state& s, std::size_t n) {
  n = std::min(n, available(s));
  if (n == 0) return {};
  const auto consumed = static_cast<std::size_t>(s.m_pos - s.m_rbuf_start);
  std::string out;
  if (consumed == 0 && n == s.m_rbuf.size()) {
    out = std::move(s.m_rbuf);
    s.m_rbuf.clear();
  } else {
    out = s.m_rbuf.substr(consumed, n);
  }
  s.m_pos += static_cast<std::int64_t>(n);
  if (available(s) == 0) drop_read_buffer(s);
  return out;
}

coro<void> fill_body(state_ptr s, std::int64_t offset, std::size_t n, bool to_end) {
  sys_result<std::string> r;
  if (to_end) {
    r = co_await s->m_ops->read_to_end(s->m_fd, offset);
  } else {
    r = co_await s->m_ops->read_at(s->m_fd, n, offset);
  }
  check(r.error, "read", s->m_name);
  s->m_eof_at = to_end || r.value.size() < n ? offset + static_cast<std::int64_t>(r.value.size()) : -1;
  if (s->m_rbuf.empty()) {
    s->m_rbuf = std::move(r.value);
  } else {
    s->m_rbuf += r.value;
  }
}

/// Appends at least `n` more bytes of the file (or up to its end) to the read buffer. Precondition:
/// no request in flight, the write buffer empty.
coro<void> fill(state_ptr s, std::size_t n, bool to_end) {
  if (s->m_rbuf.empty()) {
    s->m_rbuf_start = s->m_pos;
  } else if (s->m_pos > s->m_rbuf_start) {  // forget the consumed bytes before growing the buffer
    s->m_rbuf.erase(0, static_cast<std::size_t>(s->m_pos - s->m_rbuf_start));
    s->m_rbuf_start = s->m_pos;
  }
  const std::int64_t offset = s->m_rbuf_start + static_cast<std::int64_t>(s->m_rbuf.size());
  co_await run_request(s, fill_body(s, offset, std::max(n, buffer_size), to_end), false);
}

// ---- the write buffer ---------------------------------------------------------------------------

coro<void> write_body(state_ptr s, std::string data, std::int64_t offset) {
  const sys_result<std::int64_t> r = co_await s->m_ops->write_at(s->m_fd, std::move(data), offset);
  check(r.error, "write", s->m_name);
  if (s->m_mode.append) s->m_pos = r.value;  // O_APPEND: the file's end, wherever it was
}

/// Writes the write buffer out and drops the read-ahead it may have made stale. Precondition: no
/// request in flight.
coro<void> flush_write_buffer(state_ptr s) {
  if (s->m_wbuf.empty()) co_return;
  if (!s->m_rbuf.empty()) drop_read_buffer(*s);
  std::string data = std::exchange(s->m_wbuf, std::string());
  const std::int64_t offset = s->m_mode.append ? -1 : s->m_wbuf_off;
  co_await run_request(s, write_body(s, std::move(data), offset), true);
}

/// What every operation does first: wait for an abandoned request.
coro<void> settle_if_needed(const state_ptr& s) {
  if (s->m_inflight) co_await settle(s);
}

/// Before reading: settle, then write out what is buffered so the read sees it.
coro<void> prepare_read(const state_ptr& s) {
  if (s->m_inflight) co_await settle(s);
  if (!s->m_wbuf.empty()) co_await flush_write_buffer(s);
}

// ---- the operations -----------------------------------------------------------------------------

coro<std::string> read_impl(state_ptr s, std::int64_t n) {
  const turn_guard turn = co_await take_turn(s.get(), "read");
  require_readable(*s, "read");
  co_await prepare_read(s);
  if (n < 0) {
    if (!at_known_end(*s)) co_await fill(s, 0, true);
    std::string rest = take(*s, all);
    s->m_eof_at = -1;  // reported
    co_return rest;
  }
  const auto want = static_cast<std::size_t>(n);
  while (available(*s) < want && !at_known_end(*s)) co_await fill(s, want - available(*s), false);
  std::string out = take(*s, want);
  if (out.size() < want) s->m_eof_at = -1;  // reported
  co_return out;
}

coro<std::string> readline_impl(state_ptr s) {
  const turn_guard turn = co_await take_turn(s.get(), "readline");
  require_readable(*s, "readline");
  co_await prepare_read(s);
  for (;;) {
    if (!s->m_rbuf.empty()) {
      const auto consumed = static_cast<std::size_t>(s->m_pos - s->m_rbuf_start);
      const auto from = static_cast<std::size_t>(std::max(s->m_scanned, s->m_pos) - s->m_rbuf_start);
      const std::size_t nl = s->m_rbuf.find('\n', std::min(from, s->m_rbuf.size()));
      if (nl != std::string::npos) co_return take(*s, nl + 1 - consumed);
      s->m_scanned = s->m_rbuf_start + static_cast<std::int64_t>(s->m_rbuf.size());
    }
    if (at_known_end(*s)) {  // the last line has no '\n' (or there is none: "")
      std::string rest = take(*s, all);
      s->m_eof_at = -1;  // reported
      co_return rest;
    }
    co_await fill(s, buffer_size, false);
  }
}

coro<std::optional<std::string>> next_line_impl(state_ptr s) {
  std::string line = co_await readline_impl(std::move(s));
  if (line.empty()) co_return std::nullopt;
  co_return line;
}

coro<std::vector<std::string>> readlines_impl(state_ptr s) {
  const std::string text = co_await read_impl(std::move(s), -1);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  co_return lines;
}

coro<std::size_t> write_impl(state_ptr s, std::string data) {
  const turn_guard turn = co_await take_turn(s.get(), "write");
  require_writable(*s, "write");
  // Once the turn is taken, the bytes are accepted before anything can suspend, so a cancelled
  // write() never leaves the caller guessing: cancelled while queued it wrote nothing, after that it
  // wrote all. Read-ahead is dropped by flush_write_buffer (positions are explicit: nothing to undo),
  // after any fill in flight has landed.
  const std::size_t n = data.size();
  if (s->m_wbuf.empty()) {
    s->m_wbuf_off = s->m_pos;
    s->m_wbuf = std::move(data);  // a large write goes out without a copy
  } else {
    s->m_wbuf += data;
  }
  if (!s->m_mode.append) s->m_pos += static_cast<std::int64_t>(n);
  if (s->m_wbuf.size() < buffer_size) co_return n;
  co_await settle_if_needed(s);
  co_await flush_write_buffer(s);
  co_return n;
}

coro<void> flush_impl(state_ptr s) {
  const turn_guard turn = co_await take_turn(s.get(), "flush");
  co_await settle_if_needed(s);
  co_await flush_write_buffer(s);
}

coro<void> fsync_impl(state_ptr s) {
  const turn_guard turn = co_await take_turn(s.get(), "fsync");
  co_await settle_if_needed(s);
  co_await flush_write_buffer(s);
  const int err = co_await s->m_ops->fsync(s->m_fd);
  check(err, "fsync", s->m_name);
}

coro<std::int64_t> seek_impl(state_ptr s, std::int64_t offset, whence from) {
  const turn_guard turn = co_await take_turn(s.get(), "seek");
  co_await settle_if_needed(s);
  co_await flush_write_buffer(s);
  std::int64_t base = 0;
  if (from == whence::cur) {
    base = s->m_pos;
  } else if (from == whence::end) {
    const sys_result<std::int64_t> r = co_await s->m_ops->size(s->m_fd);
    check(r.error, "seek", s->m_name);
    base = r.value;
  }
  const std::int64_t target = base + offset;
  if (target < 0) throw_error(EINVAL, "seek", s->m_name);
  const bool in_buffer = !s->m_rbuf.empty() && target >= s->m_rbuf_start &&
                         target <= s->m_rbuf_start + static_cast<std::int64_t>(s->m_rbuf.size());
  s->m_pos = target;
  if (in_buffer) {
    s->m_scanned = 0;  // readline's knowledge started at the old position
  } else {
    drop_read_buffer(*s);
  }
  co_return target;
}

coro<std::int64_t> tell_impl(state_ptr s) {
  const turn_guard turn = co_await take_turn(s.get(), "tell");
  co_await settle_if_needed(s);
  if (s->m_mode.append) co_await flush_write_buffer(s);  // where they land is known only once written
  co_return s->m_pos;
}

coro<void> close_impl(state_ptr s) {
  if (!s || s->m_closed) co_return;
  std::exception_ptr failure;
  {
    const turn_guard turn = co_await aio::scoped(s->m_turn);
    if (s->m_closed) co_return;  // an earlier close() ran while this one waited: nothing to do
    try {
      co_await settle_if_needed(s);
      co_await flush_write_buffer(s);
    } catch (const cancelled_error&) {
      throw;  // still open; the write goes on and the file closes when its last owner lets go
    } catch (...) {
      failure = std::current_exception();
    }
    s->m_closed = true;
  }
  s->m_rbuf = std::string();
  s->m_wbuf = std::string();
  shared_fd fd = std::move(s->m_fd);
  if (fd && fd.use_count() == 1) {
    // No request holds the descriptor any more (see file_ops.cpp): close it here to report the error.
    const int raw = fd->release();
    fd.reset();
    const int err = co_await s->m_ops->close(raw);
    if (err != 0 && !failure) failure = std::make_exception_ptr(make_error(err, "close", s->m_name));
  }
  if (failure) std::rethrow_exception(failure);
}

const std::string& empty_string() {
  static const std::string empty;
  return empty;
}

}  // namespace
}  // namespace detail

coro<std::string> file::read(std::int64_t n) { return detail::read_impl(m_state, n); }
coro<std::string> file::readline() { return detail::readline_impl(m_state); }
coro<std::optional<std::string>> file::next_line() { return detail::next_line_impl(m_state); }
coro<std::vector<std::string>> file::readlines() { return detail::readlines_impl(m_state); }
coro<std::size_t> file::write(std::string data) { return detail::write_impl(m_state, std::move(data)); }
coro<void> file::flush() { return detail::flush_impl(m_state); }
coro<void> file::fsync() { return detail::fsync_impl(m_state); }
coro<std::int64_t> file::seek(std::int64_t offset, whence from) {
  return detail::seek_impl(m_state, offset, from);
}
coro<std::int64_t> file::tell() { return detail::tell_impl(m_state); }
coro<void> file::close() { return detail::close_impl(m_state); }

const std::string& file::name() const noexcept { return m_state ? m_state->m_name : detail::empty_string(); }
const std::string& file::mode() const noexcept {
  return m_state ? m_state->m_mode_text : detail::empty_string();
}
bool file::closed() const noexcept { return !m_state || m_state->m_closed; }
bool file::readable() const noexcept { return m_state && m_state->m_mode.read; }
bool file::writable() const noexcept { return m_state && m_state->m_mode.write; }

}  // namespace aio::files
