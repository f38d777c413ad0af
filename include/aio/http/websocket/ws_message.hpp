#pragma once
/// @file ws_message.hpp
/// `aio::http::ws_message` and `ws_msg_type`: what `ws.receive()` returns (aiohttp's `WSMessage`).

#include <cstdint>
#include <string>

namespace aio::http {

/// The kind of a received WebSocket message (aiohttp's `WSMsgType`).
enum class ws_msg_type : unsigned char {
  text,    ///< A complete UTF-8 text message (fragments already joined and validated).
  binary,  ///< A complete binary message.
  ping,    ///< A ping; `data` is its payload (the connection answers it unless told not to).
  pong,    ///< A pong; `data` is its payload.
  close,   ///< The peer's close frame: `close_code` and the reason in `extra`.
  closed,  ///< The connection is closed; nothing more will arrive (produced by the connection).
  error,   ///< The peer broke the protocol: `close_code` to close with and the reason in `extra`.
};

/// One received WebSocket message (aiohttp's `WSMessage(type, data, extra)`).
///
/// aiohttp puts the close code in `data` and the reason in `extra`; here `data` stays the payload
/// (empty for close and error) and the code has its own member.
/// @par Example
/// @code
/// auto msg = co_await ws.receive();
/// if (msg.type == aio::http::ws_msg_type::text) co_await ws.send_str("echo: " + msg.data);
/// @endcode
struct ws_message {
  /// What kind of message this is.
  ws_msg_type type = ws_msg_type::closed;
  /// The payload of text, binary, ping and pong messages; empty otherwise.
  std::string data;
  /// For `close`: the peer's code (`ws_close_code::no_status` when its frame had none). For `error`:
  /// the code to close the connection with (1002, 1007 or 1009). Zero otherwise.
  std::uint16_t close_code = 0;
  /// For `close`: the peer's reason. For `error`: a description of what was wrong. Empty otherwise.
  std::string extra;

  friend bool operator==(const ws_message&, const ws_message&) = default;
};

}  // namespace aio::http
