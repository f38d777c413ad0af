#pragma once
/// @file ws_deflate_params.hpp
/// permessage-deflate (RFC 7692) negotiation: the client's offer, the server's choice, the client's
/// check of that choice, and the parameters both sides then compress with.

#include <optional>
#include <span>
#include <string>
#include <utility>

#include "aio/http/websocket/ws_handshake.hpp"

namespace aio::http {

/// The agreed permessage-deflate parameters (RFC 7692 section 7.1), the same on both sides.
struct ws_deflate_params {
  /// The server resets its compression window after every message.
  bool server_no_context_takeover = false;
  /// The client resets its compression window after every message.
  bool client_no_context_takeover = false;
  /// The largest window (as a power of two, 8..15) the server compresses with.
  int server_max_window_bits = 15;
  /// The largest window (8..15) the client compresses with.
  int client_max_window_bits = 15;

  friend bool operator==(const ws_deflate_params&, const ws_deflate_params&) = default;
};

/// The `Sec-WebSocket-Extensions` value a client sends to offer compression:
/// `permessage-deflate; client_max_window_bits` (what aiohttp and browsers send).
[[nodiscard]] std::string ws_deflate_offer();

/// Server side: the first permessage-deflate offer among the request's `Sec-WebSocket-Extensions`
/// that aio can accept, as the parameters to use and the header value to answer with; `nullopt`
/// when the client offered none (or only malformed or unsupported ones, which are skipped as RFC
/// 7692 section 5 allows). A requested `server_max_window_bits` is honoured; a window of 8 bits,
/// which zlib cannot produce, is accepted and this side then sends its messages uncompressed.
[[nodiscard]] std::optional<std::pair<ws_deflate_params, std::string>> ws_negotiate_deflate(
    std::span<const ws_header> request_headers);

/// Client side: the parameters in a server's permessage-deflate answer (the value of its
/// `Sec-WebSocket-Extensions`). An error string when the answer is not a valid acceptance of
/// `ws_deflate_offer()`: another extension, several, an unknown or repeated parameter, a window
/// outside 8..15.
/// @par Errors
/// None thrown: the result's `second` holds the reason when the answer is refused.
[[nodiscard]] std::pair<std::optional<ws_deflate_params>, std::string> ws_parse_deflate_response(
    std::span<const ws_header> response_headers);

}  // namespace aio::http
