#pragma once
/// @file websocket_options.hpp
/// `aio::http::websocket_options`: how a `websocket_connection` behaves (aiohttp's keyword arguments
/// of `WebSocketResponse(...)` and `session.ws_connect(...)`).

#include <chrono>
#include <cstddef>
#include <optional>

namespace aio::http {

/// aiohttp's default `max_msg_size`: 4 MiB.
inline constexpr std::size_t ws_default_max_msg_size = std::size_t{4} << 20U;

/// Options of a WebSocket connection, shared by the server (`websocket_response`) and the client
/// (`session.ws_connect`). An aggregate for designated initializers:
/// `{.heartbeat = 30s, .max_msg_size = 1 << 20}`.
struct websocket_options {
  /// Answer every ping with a pong at once, and consume pings and pongs instead of returning them
  /// from `receive()` (aiohttp's `autoping=True`). With `false`, both are returned and the
  /// application answers pings itself with `pong()`.
  bool autoping = true;
  /// When set: a ping is sent whenever nothing arrived from the peer for this long, and the
  /// connection is closed with `ws_close_code::abnormal_closure` (1006) when nothing (pong or any
  /// other frame) arrives within half of it after the ping (aiohttp's `heartbeat=`). `receive()`
  /// then returns an `error` message (code 1006) and `exception()` holds an `aio::timeout_error`.
  std::optional<std::chrono::duration<double>> heartbeat{};
  /// The largest message accepted, in bytes (0: unlimited); a larger one closes the connection with
  /// `ws_close_code::message_too_big` (1009). aiohttp's default, 4 MiB.
  std::size_t max_msg_size = ws_default_max_msg_size;
  /// When set: the default deadline of each `receive()`; it throws `aio::timeout_error` on expiry and
  /// the connection stays usable (aiohttp's `receive_timeout=`).
  std::optional<std::chrono::duration<double>> receive_timeout{};
  /// Answer the peer's close frame with a close frame and close the socket as soon as it is received
  /// (aiohttp's `autoclose=True`). With `false`, `receive()` returns the close message and the
  /// application calls `close()` itself.
  bool autoclose = true;
  /// permessage-deflate (RFC 7692; aiohttp's `compress=15` on `ws_connect` and
  /// `WebSocketResponse(compress=True)`): a client offers it, a server accepts the client's offer.
  /// When both agree, data messages are compressed both ways (`websocket_connection::deflate()` says
  /// whether they did). Off by default on both sides (one struct serves both): aiohttp's `ws_connect`
  /// also defaults to off, its `WebSocketResponse` to on. Compression trades CPU and about 300 KiB
  /// of zlib state per connection for bandwidth.
  bool compress = false;
  /// How long `close()` waits for the peer's close frame after sending its own before closing the
  /// socket anyway (aiohttp's `timeout=10.0`).
  std::chrono::duration<double> close_timeout = std::chrono::seconds(10);
  /// How long the peer may leave our output unread. Output written on the peer's behalf (automatic
  /// pongs, the application's sends) is bounded by the stream's high-water mark (64 KiB): above it,
  /// `receive()` stops reading from the peer and the sends wait (asyncio's `drain()`) until the peer
  /// reads it down to the low-water mark. When that takes longer than this, the connection is
  /// aborted with `ws_close_code::abnormal_closure` (1006): the waiting send throws
  /// `aio::timeout_error`, `receive()` returns an `error` message and `exception()` holds the
  /// `aio::timeout_error`. `std::nullopt` waits forever.
  std::optional<std::chrono::duration<double>> send_timeout = std::chrono::seconds(60);
};

}  // namespace aio::http
