#pragma once
// The state of a websocket_connection (private): everything lives here, on the heap, so the public
// object can move while operations and the heartbeat timer hold a pointer to it.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/http/websocket/websocket_connection.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/runtime/timer_handle.hpp"
#include "aio/sync/event.hpp"
#include "ws_decoder.hpp"
#include "ws_encoder.hpp"

namespace aio::http::detail {

struct ws_connection_state {
  ws_connection_state(stream_reader r, stream_writer w, ws_role role, const websocket_options& o,
                      std::string already_read, std::optional<ws_deflate_params> deflate_params);
  ws_connection_state(const ws_connection_state&) = delete;
  ws_connection_state& operator=(const ws_connection_state&) = delete;
  ~ws_connection_state();

  // ---- decoding (all synchronous: never suspends, so it may run from a timer) --------------------
  /// Decodes what is buffered (the handshake's leftover first, then the stream's buffer), acting on
  /// control frames and queueing what `receive()` returns; notices EOF and read errors. Returns true
  /// when something changed (bytes consumed, connection lost), false when there is nothing to do.
  bool pump();
  /// Feeds `in` to the decoder until it is used up or the decoder finished.
  void decode(std::string_view& in);
  void handle(ws_message&& msg);
  /// The peer went away without a close frame (EOF or a read error).
  void on_lost(std::exception_ptr why);
  /// Stops the heartbeat and closes the socket after flushing what is queued (the close frame).
  void shut();
  [[nodiscard]] bool reading_finished() const noexcept { return done || decoder.finished(); }

  // ---- pending messages: decoded, not yet returned (what makes receive() cancel-safe) ------------
  void push(ws_message&& msg) { pending.push_back(std::move(msg)); }
  std::optional<ws_message> pop();

  // ---- sending --------------------------------------------------------------------------------
  /// Throws ws_error once nothing may be sent any more.
  void check_open(const char* what) const;
  /// Queues `out` on the stream in one write, then empties it (a huge buffer is released).
  void flush_out();

  // ---- heartbeat --------------------------------------------------------------------------------
  void arm_heartbeat(clock::time_point when);
  void on_heartbeat() noexcept;
  void heartbeat_failed();
  /// A timeout ended the connection: 1006, `why` as the error message and the failure, output dropped.
  void abort_timed_out(const std::string& why);

  // ---- flow control ---------------------------------------------------------------------------
  /// The peer left our output above the high-water mark for `send_timeout`: abort the connection
  /// (1006), queue the `error` message receive() returns and record the failure, which is returned.
  std::exception_ptr send_timed_out();
  [[nodiscard]] bool bytes_waiting_in_socket() const noexcept;

  stream_reader reader;
  stream_writer writer;
  aio::detail::stream_transport* transport;
  event_loop* loop;
  websocket_options opts;
  std::optional<ws_deflate_params> deflate;
  ws_decoder decoder;
  ws_encoder encoder;
  std::string out;       // reused frame buffer for sends
  std::string leftover;  // bytes the handshake read past the HTTP head
  std::vector<ws_message> pending;
  std::size_t pending_head = 0;

  bool receiving = false;    // a receive() runs (a second concurrent one is refused)
  bool reading = false;      // a task is parked on the stream; others wait on `wake`
  aio::event wake;           // set when a parked reader returns: the others re-check the state
  bool close_sent = false;   // our close frame is queued: no more sends
  bool peer_closed = false;  // the peer's close frame arrived
  bool done = false;         // the socket is closed (or closing): nothing more is read
  std::optional<std::uint16_t> code;
  std::exception_ptr failure;

  timer_handle heartbeat_timer;
  clock::time_point last_activity{};
  std::uint64_t activity = 0;          // bumped whenever bytes arrive
  std::uint64_t activity_at_ping = 0;  // its value when the heartbeat ping was sent
  bool awaiting_pong = false;
};

}  // namespace aio::http::detail
