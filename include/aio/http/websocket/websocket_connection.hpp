#pragma once
/// @file websocket_connection.hpp
/// `aio::http::websocket_connection`: an open WebSocket (RFC 6455) over a stream, after the HTTP
/// handshake; the engine behind `websocket_response` (server) and `session.ws_connect` (client).

#include <any>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "aio/http/json_ref.hpp"
#include "aio/http/websocket/websocket_options.hpp"
#include "aio/http/websocket/ws_close_code.hpp"
#include "aio/http/websocket/ws_deflate_params.hpp"
#include "aio/http/websocket/ws_message.hpp"
#include "aio/http/websocket/ws_role.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/task/coro.hpp"

namespace aio::http {

/// A WebSocket failure with the close code that goes with it (aiohttp's `WebSocketError`): what
/// `exception()` holds after the peer broke the protocol, and what `send_*` throw once the connection
/// is closed (then `code()` is the connection's close code, or 0 when there is none yet).
class ws_error : public std::runtime_error {
 public:
  ws_error(std::uint16_t code, const std::string& what) : std::runtime_error(what), m_code(code) {}
  /// The close code: 1002, 1007, 1009 for protocol errors; the connection's code for a send after close.
  [[nodiscard]] std::uint16_t code() const noexcept { return m_code; }

 private:
  std::uint16_t m_code;
};

/// `receive_str()`, `receive_bytes()` or `receive_json()` got another kind of message (aiohttp's
/// `WSMessageTypeError`). The message is kept in the exception, so a close is not lost.
class ws_message_type_error : public std::runtime_error {
 public:
  ws_message_type_error(ws_message received, const std::string& what)
      : std::runtime_error(what), m_received(std::move(received)) {}
  /// The message that was received instead.
  [[nodiscard]] const ws_message& received() const noexcept { return m_received; }

 private:
  ws_message m_received;
};

namespace detail {
struct ws_connection_state;
}

/// An open WebSocket connection: messages in with `receive()`, out with `send_str()` and friends, and
/// the closing handshake with `close()` (aiohttp's `WebSocketResponse` / `ClientWebSocketResponse`
/// after the handshake). Built by `websocket_response::prepare` and `session.ws_connect` once the
/// HTTP upgrade succeeded; usable directly over any stream whose handshake was done by hand.
///
/// What it does on its own, as aiohttp:
/// - answers pings (`autoping`) and the peer's close frame (`autoclose`, echoing its code);
/// - when the peer breaks the protocol, sends a close frame with the code of the violation (1002
///   protocol error, including wrong masking for the role; 1007 invalid UTF-8 in text; 1009 message
///   over `max_msg_size`), closes the socket, and returns an `error` message from `receive()`;
/// - a peer that disappears without a close frame gives a `closed` message and close code 1006;
/// - with `heartbeat`, pings an idle peer and drops it when it does not answer.
///
/// `receive()` returns, in order: the data messages (and pings/pongs when `autoping` is off), then
/// at most one `close` (the peer's close frame) or `error`, then `closed` forever.
///
/// Move-only; the state lives on the heap, so moving the object while an operation runs is safe,
/// destroying it is not. Destroying an open connection closes the socket without a closing
/// handshake: `co_await close()` first.
/// @par Cancellation
/// `receive()` is cancel-safe: frames already decoded, or partly received, stay in the connection
/// for the next `receive()`. A cancelled `send_*` has either sent its whole message or nothing (the
/// frames are queued in one write; only the wait for the socket buffer to drain is cancelled). A
/// cancelled `close()` leaves the close frame sent and closes the socket.
/// @par Concurrency
/// One task at a time may `receive()` (a second concurrent call throws `std::runtime_error`, as
/// aiohttp). Any number of tasks may send concurrently: each message is queued whole, so frames of
/// different messages never interleave. `close()` may be called while another task is in `receive()`:
/// that task gets the peer's close message, and `close()` returns when it arrived.
/// @par Errors
/// `send_*`, `ping`, `pong` after the connection started closing throw `ws_error`; a send whose socket
/// failed throws `std::system_error` (from `drain()`). `send_str` of text that is not UTF-8 throws
/// `std::invalid_argument` (the peer would close with 1007). `receive()` throws `aio::timeout_error` on
/// a receive timeout; protocol errors and disconnects are messages, never exceptions.
/// @par Thread safety
/// Loop thread only.
/// @par Example
/// @code
/// aio::http::websocket_connection ws(reader, writer, aio::http::ws_role::server);
/// while (auto msg = co_await ws.next()) {  // stops at the peer's close (or when the socket closes)
///   if (msg->type == aio::http::ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
/// }
/// co_await ws.close();
/// @endcode
class websocket_connection {
 public:
  /// Takes over an upgraded stream. `already_read` holds bytes that the handshake read past the HTTP
  /// head (the peer's first frames); they are decoded before anything is read from `reader`.
  /// `deflate`: the permessage-deflate parameters the handshake agreed on (RFC 7692), if any; data
  /// messages are then compressed both ways. The heartbeat, when set, starts now.
  websocket_connection(stream_reader reader, stream_writer writer, ws_role role, websocket_options opts = {},
                       std::string already_read = {},
                       std::optional<ws_deflate_params> deflate = std::nullopt);
  websocket_connection(websocket_connection&& other) noexcept;
  /// Closes this connection's socket (without a closing handshake) if it is open, then takes `other`'s.
  websocket_connection& operator=(websocket_connection&& other) noexcept;
  websocket_connection(const websocket_connection&) = delete;
  websocket_connection& operator=(const websocket_connection&) = delete;
  ~websocket_connection();

  // ---- receiving ---------------------------------------------------------------------------------

  /// The next message (see the class for the order). Waits at most `receive_timeout` when set.
  /// @par Errors
  /// `aio::timeout_error` (nothing is lost; the connection stays open); `std::runtime_error` when
  /// another task is already in `receive()`.
  [[nodiscard]] coro<ws_message> receive();
  /// `receive()` with its own deadline instead of `receive_timeout`.
  template <class Rep, class Period>
  [[nodiscard]] coro<ws_message> receive(std::chrono::duration<Rep, Period> timeout) {
    return receive_for(std::chrono::duration<double>(timeout));
  }
  /// The next message, which must be text; its payload.
  /// @par Errors
  /// `ws_message_type_error` for another kind of message (a close included: `closed()` and
  /// `close_code()` tell what happened).
  [[nodiscard]] coro<std::string> receive_str();
  /// The next message, which must be binary; its payload. @par Errors As `receive_str`.
  [[nodiscard]] coro<std::string> receive_bytes();
  /// The next message, which must be text, parsed as JSON.
  /// @par Errors
  /// As `receive_str`, and `nlohmann::json::parse_error` for text that is not JSON.
  /// (A template for g++ 12: docs/design/compilers.md, Bug 4.)
  template <class Json = nlohmann::json>
  [[nodiscard]] coro<Json> receive_json() {
    return parse_json<Json>(receive_str());
  }
  /// Iteration (aiohttp's `async for msg in ws`): the next message, or `std::nullopt` once a `close`
  /// or `closed` message arrives. `error` messages are returned (the next call gives `nullopt`).
  /// `while (auto msg = co_await ws.next()) use(*msg);`
  [[nodiscard]] coro<std::optional<ws_message>> next();

  // ---- sending -----------------------------------------------------------------------------------
  // Each call queues its whole message in one write, then waits until the socket buffer drained below
  // the stream's high-water mark. The payload is read at the first co_await, so it must live until then
  // (a temporary in the same `co_await` expression is fine).

  /// Sends a text message. @par Errors `std::invalid_argument` if `data` is not UTF-8; see the class.
  [[nodiscard]] coro<> send_str(std::string_view data);
  /// Sends a binary message.
  [[nodiscard]] coro<> send_bytes(std::string_view data);
  /// Sends `value.dump()` as a text message: a document, or a braced literal written in the call
  /// (`co_await ws.send_json({{"type", "hello"}, {"n", 1}})`; see `json_ref`). Serialised at the call.
  [[nodiscard]] coro<> send_json(const json_ref& value);
  /// Sends a ping (at most 125 bytes of payload: `std::invalid_argument` otherwise).
  [[nodiscard]] coro<> ping(std::string_view payload = {});
  /// Sends an unsolicited pong (at most 125 bytes of payload).
  [[nodiscard]] coro<> pong(std::string_view payload = {});

  // ---- closing -----------------------------------------------------------------------------------

  /// The closing handshake: sends a close frame with `code` and `message` (a UTF-8 reason of at most
  /// 123 bytes), waits up to `close_timeout` for the peer's close frame (other messages arriving
  /// meanwhile are dropped), then closes the socket. Returns false when the connection was already
  /// closing or closed (nothing is done), true otherwise.
  /// `close_code()` is then the peer's code, or 1006 when it did not answer in time.
  /// @par Errors
  /// `std::invalid_argument` for a code that may not be sent or a reason that is too long or not
  /// UTF-8 (nothing is sent).
  [[nodiscard]] coro<bool> close(std::uint16_t code = ws_close_code::normal, std::string_view message = {});

  /// True once this side sent its close frame or the connection is gone: nothing more can be sent.
  [[nodiscard]] bool closed() const noexcept;
  /// The close code once known: the peer's (or `no_status`, 1005, when its close frame had none);
  /// the violation's for a protocol error; 1006 for a lost connection. `nullopt` while open.
  [[nodiscard]] std::optional<std::uint16_t> close_code() const noexcept;
  /// What went wrong, if anything: a `ws_error` for a protocol error, `aio::timeout_error` for a
  /// heartbeat without answer, the `std::system_error` of a failed socket; null otherwise.
  [[nodiscard]] std::exception_ptr exception() const noexcept;

  /// The role given at construction.
  [[nodiscard]] ws_role role() const noexcept;
  /// The permessage-deflate parameters in use, or `nullopt` when messages are not compressed
  /// (aiohttp's `ws.compress`, which gives only the window size).
  [[nodiscard]] std::optional<ws_deflate_params> deflate() const noexcept;
  /// The options given at construction.
  [[nodiscard]] const websocket_options& options() const noexcept;
  /// The stream's `get_extra_info(name)` ("peername", "sockname", "ssl_object", ...).
  [[nodiscard]] std::any get_extra_info(std::string_view name) const;

 private:
  template <class Json>
  static coro<Json> parse_json(coro<std::string> text) {
    co_return Json::parse(co_await std::move(text));
  }
  coro<ws_message> receive_for(std::chrono::duration<double> timeout);
  std::unique_ptr<detail::ws_connection_state> m_state;
};

}  // namespace aio::http
