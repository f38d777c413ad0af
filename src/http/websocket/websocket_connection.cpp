// websocket_connection: the awaited operations (receive, send, close) over the synchronous core in
// ws_connection_state.cpp.

#include "aio/http/websocket/websocket_connection.hpp"

#include <coroutine>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include "aio/combinators/wait_for.hpp"
#include "aio/detail/coop_budget.hpp"
#include "aio/errors.hpp"
#include "ws_connection_state.hpp"

namespace aio::http {

namespace {

using state = detail::ws_connection_state;

/// Marks the task as the one parked on the stream; when it leaves (woken, failed or cancelled) the
/// others waiting for news are told to look again.
class reading_guard {
 public:
  explicit reading_guard(state& s) noexcept : m_s(s) { m_s.reading = true; }
  reading_guard(const reading_guard&) = delete;
  reading_guard& operator=(const reading_guard&) = delete;
  ~reading_guard() {
    m_s.reading = false;
    m_s.wake.set();
  }

 private:
  state& m_s;
};

/// The receive() in progress (a second concurrent one is refused).
class receiving_guard {
 public:
  explicit receiving_guard(state& s) : m_s(s) {
    if (m_s.receiving) {
      throw std::runtime_error("aio: WebSocket receive() called while another task is already receiving");
    }
    m_s.receiving = true;
  }
  receiving_guard(const receiving_guard&) = delete;
  receiving_guard& operator=(const receiving_guard&) = delete;
  ~receiving_guard() { m_s.receiving = false; }

 private:
  state& m_s;
};

/// Never suspends. (clang-tidy 14's analyzer does not model a coroutine's promise and reports it as
/// uninitialised on any path that reaches `co_return value` without a `co_await`; awaiting this first
/// gives every path one, at no cost. The same trick as in src/net/sock_ops.cpp.)
struct completed_in_place {
  [[nodiscard]] bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<> /*h*/) const noexcept {}
  void await_resume() const noexcept {}
};

/// Waits until there may be something new: parks on the stream, or, when another task (a concurrent
/// close() or receive()) is parked there already, waits for that task to come back.
coro<> read_more(state* s) {
  if (s->reading) {
    s->wake.clear();
    co_await s->wake.wait();
    co_return;
  }
  reading_guard g(*s);
  co_await aio::detail::stream_wait_operation(s->transport, 1);
}

ws_message closed_message() { return ws_message{}; }

coro<> drain_unbounded(state* s) { co_await s->writer.drain(); }

/// Waits while the output is above the high-water mark (asyncio's drain()), at most `send_timeout`:
/// a peer that leaves it unread longer is disconnected (send_timed_out), and the timeout is thrown.
coro<> drain_bounded(state* s) {
  if (!s->transport->must_drain()) co_return;
  if (!s->opts.send_timeout) {
    co_await s->writer.drain();
    co_return;
  }
  bool timed_out = false;
  try {
    co_await aio::timeout(*s->opts.send_timeout, drain_unbounded(s));
  } catch (const timeout_error&) {
    timed_out = true;
  }
  if (timed_out) std::rethrow_exception(s->send_timed_out());
}

/// receive()'s flow control: before reading more from the peer, let what we queued on its behalf
/// (pongs, the application's echoes) drain below the high-water mark, so a peer that sends without
/// reading costs a bounded amount of memory. A failure becomes a message, never an exception.
coro<> drain_before_reading(state* s) {
  try {
    co_await drain_bounded(s);
  } catch (const timeout_error&) {  // NOLINT(bugprone-empty-catch): send_timed_out queued the error
  } catch (const std::exception&) {
    s->on_lost(std::current_exception());  // the write failed: the peer is gone
  }
}

coro<ws_message> receive_impl(state* s) {
  // Messages taken from bytes already read need no wait: each spends a unit of the step's budget,
  // so a peer that streams (and reads the echoes) cannot keep this task from ever suspending.
  co_await aio::detail::coop_point{};
  receiving_guard g(*s);
  for (;;) {
    if (std::optional<ws_message> m = s->pop()) co_return std::move(*m);
    if (s->reading_finished()) co_return closed_message();
    if (s->pump()) continue;
    if (s->transport->must_drain()) {
      co_await drain_before_reading(s);
      continue;
    }
    co_await read_more(s);
  }
}

coro<ws_message> receive_within(state* s, std::chrono::duration<double> limit) {
  co_return co_await aio::timeout(limit, receive_impl(s));
}

const char* type_name(ws_msg_type t) noexcept {
  switch (t) {
    case ws_msg_type::text:
      return "text";
    case ws_msg_type::binary:
      return "binary";
    case ws_msg_type::ping:
      return "ping";
    case ws_msg_type::pong:
      return "pong";
    case ws_msg_type::close:
      return "close";
    case ws_msg_type::closed:
      return "closed";
    case ws_msg_type::error:
      return "error";
  }
  return "?";
}

coro<std::string> receive_typed(coro<ws_message> next, ws_msg_type wanted) {
  ws_message m = co_await std::move(next);
  if (m.type != wanted) {
    std::string what = std::string("aio: WebSocket received a ") + type_name(m.type) + " message, expected " +
                       type_name(wanted);
    if (m.type == ws_msg_type::close || m.type == ws_msg_type::error) {
      what += " (code " + std::to_string(m.close_code) + (m.extra.empty() ? "" : ": " + m.extra) + ")";
    }
    throw ws_message_type_error(std::move(m), what);
  }
  co_return std::move(m.data);
}

coro<std::optional<ws_message>> next_impl(coro<ws_message> next) {
  ws_message m = co_await std::move(next);
  if (m.type == ws_msg_type::close || m.type == ws_msg_type::closed) co_return std::nullopt;
  co_return std::optional<ws_message>(std::move(m));
}

enum class send_kind : unsigned char { text, binary, ping, pong };

coro<> send_impl(state* s, send_kind kind, std::string_view data) {
  s->check_open(kind == send_kind::ping ? "ping" : kind == send_kind::pong ? "pong" : "send");
  switch (kind) {
    case send_kind::text:
      s->encoder.text(s->out, data);
      break;
    case send_kind::binary:
      s->encoder.binary(s->out, data);
      break;
    case send_kind::ping:
      s->encoder.ping(s->out, data);
      break;
    case send_kind::pong:
      s->encoder.pong(s->out, data);
      break;
  }
  s->flush_out();  // the whole message in one write: concurrent senders never interleave frames
  co_await drain_bounded(s);
}

coro<> send_json_impl(state* s, std::string text) { co_await send_impl(s, send_kind::text, text); }

/// Until the peer's close frame arrived or the connection is gone.
coro<> wait_peer_close(state* s) {
  while (!s->peer_closed && !s->done) {
    if (s->pump()) continue;
    co_await read_more(s);
  }
}

/// Closes the socket when close() leaves, however it leaves (a cancelled close() included).
class shut_guard {
 public:
  explicit shut_guard(state& s) noexcept : m_s(s) {}
  shut_guard(const shut_guard&) = delete;
  shut_guard& operator=(const shut_guard&) = delete;
  ~shut_guard() {
    if (!m_s.done) m_s.shut();
  }

 private:
  state& m_s;
};

coro<bool> close_impl(state* s, std::uint16_t code, std::string_view message) {
  co_await completed_in_place{};
  if (s->close_sent || s->done) co_return false;
  s->encoder.close(s->out, code, message);  // validates first: nothing is sent when it throws
  s->close_sent = true;
  s->heartbeat_timer.cancel();
  shut_guard guard(*s);
  const clock::time_point deadline = s->loop->time() + aio::detail::to_clock_duration(s->opts.close_timeout);
  bool lost = false;
  try {
    s->flush_out();
    co_await s->writer.drain();
  } catch (const std::exception&) {
    lost = true;  // the socket failed under the close frame: there is no handshake to wait for
    s->on_lost(std::current_exception());
  }
  if (lost) co_return true;
  if (!s->peer_closed && !s->done) {
    bool timed_out = false;
    try {
      co_await aio::timeout_at(deadline, wait_peer_close(s));
    } catch (const timeout_error&) {
      timed_out = true;
    }
    if (timed_out) s->code = ws_close_code::abnormal_closure;
  }
  if (!s->done) s->shut();
  // Let the close frame reach the peer before returning, within what is left of the deadline.
  bool flush_timed_out = false;
  try {
    co_await aio::timeout_at(deadline, s->writer.wait_closed());
  } catch (const timeout_error&) {
    flush_timed_out = true;
  }
  if (flush_timed_out) s->writer.abort();
  co_return true;
}

}  // namespace

websocket_connection::websocket_connection(stream_reader reader, stream_writer writer, ws_role role,
                                           websocket_options opts, std::string already_read,
                                           std::optional<ws_deflate_params> deflate)
    : m_state(std::make_unique<detail::ws_connection_state>(std::move(reader), std::move(writer), role, opts,
                                                            std::move(already_read), deflate)) {}

websocket_connection::websocket_connection(websocket_connection&& other) noexcept = default;
websocket_connection& websocket_connection::operator=(websocket_connection&& other) noexcept = default;
websocket_connection::~websocket_connection() = default;

coro<ws_message> websocket_connection::receive() {
  if (m_state->opts.receive_timeout) return receive_within(m_state.get(), *m_state->opts.receive_timeout);
  return receive_impl(m_state.get());
}

coro<ws_message> websocket_connection::receive_for(std::chrono::duration<double> timeout) {
  return receive_within(m_state.get(), timeout);
}

coro<std::string> websocket_connection::receive_str() { return receive_typed(receive(), ws_msg_type::text); }
coro<std::string> websocket_connection::receive_bytes() {
  return receive_typed(receive(), ws_msg_type::binary);
}
coro<std::optional<ws_message>> websocket_connection::next() { return next_impl(receive()); }

coro<> websocket_connection::send_str(std::string_view data) {
  return send_impl(m_state.get(), send_kind::text, data);
}
coro<> websocket_connection::send_bytes(std::string_view data) {
  return send_impl(m_state.get(), send_kind::binary, data);
}
coro<> websocket_connection::send_json(const json_ref& value) {
  return send_json_impl(m_state.get(), value ? value.get()->dump() : std::string("null"));
}
coro<> websocket_connection::ping(std::string_view payload) {
  return send_impl(m_state.get(), send_kind::ping, payload);
}
coro<> websocket_connection::pong(std::string_view payload) {
  return send_impl(m_state.get(), send_kind::pong, payload);
}

coro<bool> websocket_connection::close(std::uint16_t code, std::string_view message) {
  return close_impl(m_state.get(), code, message);
}

bool websocket_connection::closed() const noexcept { return m_state->close_sent || m_state->done; }
std::optional<std::uint16_t> websocket_connection::close_code() const noexcept { return m_state->code; }
std::exception_ptr websocket_connection::exception() const noexcept { return m_state->failure; }
ws_role websocket_connection::role() const noexcept { return m_state->decoder.role(); }
std::optional<ws_deflate_params> websocket_connection::deflate() const noexcept { return m_state->deflate; }
const websocket_options& websocket_connection::options() const noexcept { return m_state->opts; }
std::any websocket_connection::get_extra_info(std::string_view name) const {
  return m_state->writer.get_extra_info(name);
}

}  // namespace aio::http
