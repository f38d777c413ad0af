#pragma once
// The server side of one HTTP/1.1 connection (private). See docs/design/http_server.md.
//
// One coroutine per connection parses requests straight out of the stream's read buffer with the
// llhttp request parser, runs the handler inline (no task per request), serialises the response
// into a per-connection buffer and writes the buffer once before it next waits for input, so
// pipelined responses leave in one write. Timeouts (keep-alive, request head) and the detection of
// a vanished client are done by the site's sweeper, not by a timer per request.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "../parser.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/server/response.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/task/task_handle.hpp"
#include "aio/time/clock.hpp"
#include "log_limiter.hpp"

namespace aio::http::detail {

struct site;

class http_connection {
 public:
  /// What the connection is doing (the sweeper acts on it).
  /// `body`: waiting for request body bytes; `drain`: waiting for the client to read our output
  /// (both with a deadline, as idle and head).
  enum class phase : std::uint8_t { busy, idle, head, handler, body, drain };
  /// Why the sweeper cancelled the connection's task.
  enum class stop_reason : std::uint8_t { none, timeout, disconnected, shutdown };

  http_connection(std::shared_ptr<site> s, stream_reader r, stream_writer w);
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;
  ~http_connection();

  /// Serves requests until the connection ends.
  coro<> run();

  // ---- for request bodies, stream_response, file_response, websocket_response -----------------
  /// Appends the next body piece (at most `max` bytes) to `out`; false at the end of the body.
  coro<bool> read_body(std::string& out, std::size_t max);
  [[nodiscard]] bool body_done() const noexcept { return m_msg_done; }
  /// Writes the buffered responses (pipelined ones before this) to the socket.
  void flush();
  /// Buffered output (responses not yet written).
  [[nodiscard]] std::string& out() noexcept { return m_out; }
  [[nodiscard]] stream_reader& reader() noexcept { return m_reader; }
  [[nodiscard]] stream_writer& writer() noexcept { return m_writer; }
  /// A handler wrote the response head itself (stream_response); `keep_alive` says whether the
  /// connection may carry another request once the handler returns.
  /// `status` and the time are the request metrics' (a streamed response is timed to its head).
  void mark_head_sent(bool keep_alive, int status) noexcept {
    m_head_sent = true;
    m_stream_keep_alive = keep_alive;
    m_sent_status = status;
    m_head_sent_at = clock::now();
  }
  void mark_stream_finished() noexcept { m_stream_finished = true; }
  /// Flushes and waits while the output is above the high-water mark, at most send_timeout; false
  /// (the connection aborted) when the client did not read in time.
  coro<bool> drain_output();
  [[nodiscard]] bool head_sent() const noexcept { return m_head_sent; }
  /// True when the response to the current request should say `Connection: close`.
  [[nodiscard]] bool must_close() const noexcept;
  /// The connection now belongs to another protocol (WebSocket): the HTTP loop ends after the
  /// handler, without closing the stream.
  void detach() noexcept {
    m_detached = true;
    m_phase = phase::busy;  // the WebSocket watches its peer itself (close frames, heartbeat)
  }
  /// Bytes after the current request head not yet consumed (the new protocol's first bytes stay in
  /// the reader's buffer).
  [[nodiscard]] const request_head& head() const noexcept { return m_parser.head(); }
  [[nodiscard]] site& owner() noexcept { return *m_site; }
  [[nodiscard]] const parser_limits& owner_limits() const noexcept;
  [[nodiscard]] const request& current_request() const noexcept { return m_req; }

  // ---- for the sweeper -------------------------------------------------------------------------
  phase m_phase = phase::busy;
  stop_reason m_stop = stop_reason::none;
  clock::time_point m_deadline{};
  task_handle m_task;
  http_connection* m_prev = nullptr;
  http_connection* m_next = nullptr;
  /// Sweeper: cancels the task for `why` (once).
  void stop(stop_reason why);
  /// Sweeper, phase `drain`: true when the client took some of our output since the last look.
  /// send_timeout runs between two writes, as nginx's, so the sweeper then re-arms the deadline.
  bool took_output() noexcept;

 private:
  /// Before waiting for input in phase `p`: the deadline and phase for the sweeper; false when the
  /// server is shutting down and the connection is idle.
  bool arm_wait(phase p);
  /// After the wait: true when bytes arrived; false to end the connection (a stop by the sweeper).
  bool end_wait(phase p, bool cancelled, std::size_t before);
  /// Resets the per-request state, routes the request and returns its handler's coroutine (through
  /// the middlewares, if any).
  coro<response> begin_request();
  /// After the handler: turns its outcome into the response to write; false when nothing is left to
  /// write (the handler streamed its response, the connection was detached or stopped).
  bool settle_response(response& resp, const std::exception_ptr& failure, bool cancelled);
  coro<> send_response(response& resp);
  /// Gives the loop a turn (`sleep(0s)`) after flushing; false when a cancel (shutdown) came instead.
  coro<bool> yield_turn();
  /// Serialises an in-memory response into the output buffer.
  void write_response(response& resp);
  coro<> send_file(response& resp);
  /// Sends `length` bytes of `fd` from `offset`; false (and the connection aborted) if the file ended
  /// first.
  coro<bool> send_file_range(int fd, std::uint64_t offset, std::uint64_t length);
  /// Discards what is buffered of the body left unread (most requests have none: the parser then
  /// only reports the end), without discard_body's coroutine frame; m_close on a malformed body.
  void skip_buffered_body();
  coro<bool> discard_body();
  bool body_step(std::string& out, std::size_t max);
  bool before_body_wait();
  /// After a body wait; `cancelled`: the sweeper's body timeout (http_error 408 is thrown).
  void after_body_wait(phase saved, bool cancelled);
  void write_error(int status, std::string_view text);
  /// Counts the request just answered in the site's metrics (nothing when it got no response).
  void record_request(bool answered, const response& resp, clock::time_point started) noexcept;
  /// RFC 9112 3.2: an HTTP/1.1 request without Host, or any request with two, is 400.
  [[nodiscard]] bool host_header_valid() const noexcept;
  /// An error line on stderr with the peer's address, rate-limited per kind (site::logs).
  void log_error(log_kind kind, std::string_view message);
  void log_handler_error(const std::exception_ptr& e);
  /// The handler failed because the client's connection did (reset, broken pipe).
  [[nodiscard]] bool client_gone(const std::exception_ptr& e) const;
  void log_access(int status, std::uint64_t bytes);
  coro<> finish_close();
  /// Phase `drain` with the send_timeout deadline, around a wait for the client to read our output.
  void begin_send_wait();
  /// After that wait; `timed_out`: the sweeper stopped it, and the connection is aborted (its unread
  /// output dropped). Returns !timed_out.
  bool end_send_wait(phase saved, bool timed_out);

  std::shared_ptr<site> m_site;
  stream_reader m_reader;
  stream_writer m_writer;
  aio::detail::stream_transport* m_t;
  request_parser m_parser;
  request m_req;
  std::string m_out;
  bool m_msg_done = false;
  bool m_close = false;
  bool m_head_sent = false;
  bool m_stream_keep_alive = false;
  bool m_stream_finished = false;
  bool m_detached = false;
  bool m_continue_sent = false;
  bool m_head_started = false;
  bool m_is_head = false;
  std::uint64_t m_sent_mark = 0;
  std::uint32_t m_route = 0;           // the router's index of the current request's path (metrics label)
  int m_sent_status = 0;               // a streamed response's status, once its head is out
  clock::time_point m_head_sent_at{};  // the transport's bytes_sent() at the sweeper's last look
};

}  // namespace aio::http::detail
