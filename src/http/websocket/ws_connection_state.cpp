// websocket_connection's synchronous core: decoding into the pending queue, control frames, losing
// the peer, and the heartbeat timer (docs/design/websocket.md, "The connection layer").

#include <stdexcept>
#include <string>
#include <utility>

#include "ws_connection_state.hpp"

namespace aio::http::detail {

namespace {
/// A sent buffer larger than this is released rather than kept for the next message, so one big
/// message does not pin its size for the rest of a long-lived connection.
constexpr std::size_t k_keep_out_capacity = std::size_t{256} * 1024;

std::string seconds_text(std::chrono::duration<double> d) {
  std::string s = std::to_string(d.count());
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s + " s";
}
}  // namespace

ws_connection_state::ws_connection_state(stream_reader r, stream_writer w, ws_role role,
                                         const websocket_options& o, std::string already_read,
                                         std::optional<ws_deflate_params> deflate_params)
    : reader(std::move(r)),
      writer(std::move(w)),
      transport(reader.transport()),
      loop(&transport->loop()),
      opts(o),
      deflate(deflate_params),
      decoder(role, o.max_msg_size),
      encoder(role),
      leftover(std::move(already_read)) {
  if (deflate) {
    decoder.enable_deflate(*deflate);
    encoder.enable_deflate(*deflate);
  }
  last_activity = loop->time();
  if (opts.heartbeat && opts.heartbeat->count() > 0) {
    arm_heartbeat(last_activity + aio::detail::to_clock_duration(*opts.heartbeat));
  }
}

ws_connection_state::~ws_connection_state() { heartbeat_timer.cancel(); }

std::optional<ws_message> ws_connection_state::pop() {
  if (pending_head == pending.size()) return std::nullopt;
  std::optional<ws_message> m(std::move(pending[pending_head]));
  if (++pending_head == pending.size()) {
    pending.clear();  // keeps the capacity: the queue costs nothing in the steady state
    pending_head = 0;
  }
  return m;
}

bool ws_connection_state::pump() {
  if (reading_finished()) return false;
  if (!leftover.empty()) {
    std::string_view in = leftover;
    decode(in);
    std::string().swap(leftover);
    if (reading_finished()) return true;
  }
  std::string_view in = transport->read_buffer().view();
  if (in.empty()) {
    if (transport->read_error() != 0) {
      std::exception_ptr why;
      try {
        transport->throw_read_error();
      } catch (...) {
        why = std::current_exception();
      }
      on_lost(why);
      return true;
    }
    if (transport->saw_eof()) {
      on_lost(nullptr);
      return true;
    }
    return false;
  }
  const std::size_t before = in.size();
  decode(in);
  // After a close frame or an error the rest stays unread: the peer must not send after either.
  transport->read_buffer().consume(before - in.size());
  return true;
}

void ws_connection_state::decode(std::string_view& in) {
  ++activity;
  last_activity = loop->time();
  while (!decoder.finished()) {
    std::optional<ws_message> m = decoder.feed(in);
    if (!m) break;
    handle(std::move(*m));
  }
}

void ws_connection_state::handle(ws_message&& msg) {
  switch (msg.type) {
    case ws_msg_type::text:
    case ws_msg_type::binary:
      if (!close_sent) push(std::move(msg));  // after our close frame, data is dropped (aiohttp)
      return;
    case ws_msg_type::ping:
      if (opts.autoping) {
        if (!close_sent) {
          encoder.pong(out, msg.data);
          flush_out();
        }
        return;
      }
      if (!close_sent) push(std::move(msg));
      return;
    case ws_msg_type::pong:
      if (!opts.autoping && !close_sent) push(std::move(msg));
      return;
    case ws_msg_type::close:
      peer_closed = true;
      code = msg.close_code;
      if (!close_sent && opts.autoclose) {
        // Echo the peer's code and reason (RFC 6455 section 5.5.1, as Python's websockets does); a
        // close without a code gets one without.
        if (ws_is_valid_close_code(msg.close_code)) {
          encoder.close(out, msg.close_code, msg.extra);
        } else {
          encoder.close_without_code(out);
        }
        close_sent = true;
        flush_out();
        shut();
      }
      push(std::move(msg));
      wake.set();
      return;
    case ws_msg_type::error:
      code = msg.close_code;
      failure = std::make_exception_ptr(ws_error(msg.close_code, "aio: WebSocket peer error: " + msg.extra));
      if (!close_sent) {
        try {
          encoder.close(out, msg.close_code, msg.extra.size() <= 123 ? msg.extra : std::string_view{});
        } catch (const std::invalid_argument&) {
          encoder.close(out, msg.close_code);
        }
        close_sent = true;
        flush_out();
      }
      shut();
      push(std::move(msg));
      wake.set();
      return;
    case ws_msg_type::closed:
      return;  // the decoder never produces it
  }
}

void ws_connection_state::on_lost(std::exception_ptr why) {
  code = ws_close_code::abnormal_closure;
  if (why && !failure) failure = std::move(why);
  close_sent = true;
  done = true;
  heartbeat_timer.cancel();
  writer.abort();
}

void ws_connection_state::shut() {
  done = true;
  heartbeat_timer.cancel();
  writer.close();
}

void ws_connection_state::check_open(const char* what) const {
  if (!close_sent && !done) return;
  throw ws_error(code.value_or(0),
                 std::string("aio: WebSocket ") + what + " after the connection " +
                     (done ? "closed" : "started closing") +
                     (code ? " (close code " + std::to_string(*code) + ")" : std::string()));
}

void ws_connection_state::flush_out() {
  try {
    writer.write(out);
  } catch (...) {
    out.clear();
    throw;
  }
  out.clear();
  if (out.capacity() > k_keep_out_capacity) std::string().swap(out);
}

// ---- heartbeat --------------------------------------------------------------------------------------

void ws_connection_state::arm_heartbeat(clock::time_point when) {
  heartbeat_timer = loop->call_at(when, [this] { on_heartbeat(); });
}

void ws_connection_state::on_heartbeat() noexcept {
  if (close_sent || done) return;
  const auto interval = aio::detail::to_clock_duration(*opts.heartbeat);
  try {
    if (awaiting_pong) {
      // Nobody may be reading right now: look at what the socket holds before giving up.
      if (!reading && activity == activity_at_ping) {
        (void)transport->need_wait(1);
        pump();
        if (close_sent || done) return;
        if (activity == activity_at_ping && bytes_waiting_in_socket()) ++activity;
      }
      if (activity != activity_at_ping) {
        awaiting_pong = false;
        arm_heartbeat(last_activity + interval);
        return;
      }
      heartbeat_failed();
      return;
    }
    const clock::time_point now = loop->time();
    if (now < last_activity + interval) {
      arm_heartbeat(last_activity + interval);  // something arrived since: no ping needed yet
      return;
    }
    encoder.ping(out);
    flush_out();
    awaiting_pong = true;
    activity_at_ping = activity;
    arm_heartbeat(now + interval / 2);
  } catch (...) {
    // A failed socket: the next receive() or send reports it; the heartbeat just stops.
    if (!failure) failure = std::current_exception();
  }
}

std::exception_ptr ws_connection_state::send_timed_out() {
  if (done && failure) return failure;  // a concurrent waiter got there first
  const std::string why = "aio: WebSocket peer did not read our output within " +
                          seconds_text(opts.send_timeout.value_or(std::chrono::seconds(0))) +
                          " (send_timeout)";
  heartbeat_timer.cancel();
  abort_timed_out(why);  // drops the unread output: it is what the bound is about
  return failure;
}

bool ws_connection_state::bytes_waiting_in_socket() const noexcept {
  // The io_uring backend caches readiness: with no read parked, the in-place read above may not have
  // asked the kernel at all. A peek does. Unread bytes prove the peer is alive; the application just
  // has not read them yet.
  return transport->peek() == aio::detail::stream_transport::peek_result::bytes;
}

void ws_connection_state::heartbeat_failed() {
  const std::string why = "aio: WebSocket heartbeat: no answer from the peer within " +
                          seconds_text(*opts.heartbeat / 2) + " of a ping";
  abort_timed_out(why);
}

void ws_connection_state::abort_timed_out(const std::string& why) {
  code = ws_close_code::abnormal_closure;
  failure = std::make_exception_ptr(timeout_error(why));
  ws_message m;
  m.type = ws_msg_type::error;
  m.close_code = ws_close_code::abnormal_closure;
  m.extra = why;
  push(std::move(m));
  close_sent = true;
  done = true;
  writer.abort();  // wakes a parked receive(), which returns the error message
  wake.set();
}

}  // namespace aio::http::detail
