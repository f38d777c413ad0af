#pragma once
/// @file ws_handshake.hpp
/// The opening handshake of RFC 6455 section 4: keys, the accept value, and checks of both sides.
/// `websocket_response` and `session.ws_connect` use them; so can an upgrade done by hand before a
/// `websocket_connection` is built over any stream.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::http {

/// One HTTP header as a name and a value; names are compared case-insensitively, and a header that
/// appears several times is read as the comma-joined list of its values (RFC 9110 section 5.3).
using ws_header = std::pair<std::string_view, std::string_view>;

/// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
/// @par Example
/// @code
/// assert(aio::http::ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kK+xOo1+0iOzrs=");
/// @endcode
[[nodiscard]] std::string ws_accept_key(std::string_view key);

/// A fresh `Sec-WebSocket-Key`: 16 random bytes from OpenSSL's `RAND_bytes`, base64-encoded.
/// @par Errors
/// `std::runtime_error` if OpenSSL has no entropy.
[[nodiscard]] std::string ws_generate_key();

/// True when `key` is the base64 form of exactly 16 bytes (22 characters and "==").
[[nodiscard]] bool ws_is_valid_key(std::string_view key) noexcept;

/// What a server learns from a client's upgrade request.
struct ws_request_check {
  /// Empty when the request is a valid WebSocket upgrade; otherwise why it is not.
  std::string error;
  /// The HTTP status to answer with: 101 when valid, 405 for a method other than GET, 426 (with
  /// `Sec-WebSocket-Version: 13`) for another protocol version, 400 otherwise.
  int status = 400;
  /// The `Sec-WebSocket-Accept` value to send back (when valid).
  std::string accept;
  /// The subprotocols the client offered, in its order of preference.
  std::vector<std::string> protocols;
  /// True when valid.
  explicit operator bool() const noexcept { return error.empty(); }
};

/// Checks a client's opening handshake (RFC 6455 section 4.2.1): method GET, `Connection` lists the
/// `upgrade` token, `Upgrade` lists `websocket`, `Sec-WebSocket-Version` is 13 and
/// `Sec-WebSocket-Key` is 16 bytes in base64. Token comparisons ignore case.
/// @par Errors
/// None thrown: the result says what is wrong.
[[nodiscard]] ws_request_check ws_check_request(std::string_view method, std::span<const ws_header> headers);

/// What a client learns from a server's answer to its upgrade request.
struct ws_response_check {
  /// Empty when the server accepted the upgrade; otherwise why the connection must fail.
  std::string error;
  /// The subprotocol the server chose (empty for none).
  std::string protocol;
  /// True when valid.
  explicit operator bool() const noexcept { return error.empty(); }
};

/// Checks a server's answer (RFC 6455 section 4.1, client side): status 101, `Upgrade: websocket`,
/// `Connection: upgrade`, `Sec-WebSocket-Accept` matching the `key` the client sent, and a subprotocol,
/// if any, among those the client `offered`. With `extensions_offered` false, an answer naming any
/// extension is refused; with true, `Sec-WebSocket-Extensions` is left to the caller
/// (`ws_parse_deflate_response` in ws_deflate_params.hpp).
/// @par Errors
/// None thrown: the result says what is wrong.
[[nodiscard]] ws_response_check ws_check_response(int status, std::span<const ws_header> headers,
                                                  std::string_view key,
                                                  std::span<const std::string> offered = {},
                                                  bool extensions_offered = false);

}  // namespace aio::http
