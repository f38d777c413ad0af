#pragma once
/// @file ws_close_code.hpp
/// `aio::http::ws_close_code`: the status codes of a WebSocket close frame (aiohttp's `WSCloseCode`).

#include <cstdint>

namespace aio::http {

/// The close codes of RFC 6455 section 7.4.1 that aio sends or reports, as aiohttp's `WSCloseCode`.
namespace ws_close_code {
/// 1000: the purpose of the connection has been fulfilled.
inline constexpr std::uint16_t normal = 1000;
/// 1001: the endpoint is going away (server shutdown, page left).
inline constexpr std::uint16_t going_away = 1001;
/// 1002: the peer broke the protocol (bad frame, bad masking, bad close payload).
inline constexpr std::uint16_t protocol_error = 1002;
/// 1003: the endpoint cannot accept this kind of data (say, binary where only text is understood).
inline constexpr std::uint16_t unsupported_data = 1003;
/// 1005: reported when a close frame carried no code; never sent on the wire.
inline constexpr std::uint16_t no_status = 1005;
/// 1006: reported when the connection dropped without a close frame; never sent on the wire.
inline constexpr std::uint16_t abnormal_closure = 1006;
/// 1007: a text message (or close reason) was not valid UTF-8.
inline constexpr std::uint16_t invalid_payload = 1007;
/// 1008: a message violated the endpoint's policy.
inline constexpr std::uint16_t policy_violation = 1008;
/// 1009: a message was larger than `max_msg_size`.
inline constexpr std::uint16_t message_too_big = 1009;
/// 1010: the client expected an extension the server did not negotiate.
inline constexpr std::uint16_t mandatory_extension = 1010;
/// 1011: the server hit an unexpected condition.
inline constexpr std::uint16_t internal_error = 1011;
}  // namespace ws_close_code

/// True when `code` may appear in a close frame on the wire (RFC 6455 section 7.4 and the IANA
/// registry): 1000-1003, 1007-1014, and the application ranges 3000-4999.
///
/// 1004, 1005, 1006 and 1015 are reserved or local-only, and everything below 1000, between 1016 and
/// 2999, or above 4999 is invalid; a received close frame with such a code is a protocol error (1002).
[[nodiscard]] constexpr bool ws_is_valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

}  // namespace aio::http
