#pragma once
/// @file ws_opcode.hpp
/// `aio::http::ws_opcode`: the frame opcodes of RFC 6455 section 5.2.
/// Private to src/http: only the codec uses it.

#include <cstdint>

namespace aio::http {

/// A WebSocket frame's opcode (the low four bits of its first byte).
enum class ws_opcode : std::uint8_t {
  continuation = 0x0,  ///< A later fragment of a text or binary message.
  text = 0x1,          ///< The first (or only) frame of a UTF-8 text message.
  binary = 0x2,        ///< The first (or only) frame of a binary message.
  close = 0x8,         ///< Control: closing handshake, optional code and reason.
  ping = 0x9,          ///< Control: the peer must answer with a pong carrying the same payload.
  pong = 0xA,          ///< Control: the answer to a ping (or an unsolicited heartbeat).
};

/// True for the control opcodes (close, ping, pong and the reserved 0xB-0xF).
[[nodiscard]] constexpr bool ws_is_control(ws_opcode op) noexcept {
  return (static_cast<std::uint8_t>(op) & 0x8U) != 0;
}

/// True for the six opcodes RFC 6455 defines; the others are reserved and a protocol error.
[[nodiscard]] constexpr bool ws_is_known_opcode(std::uint8_t op) noexcept {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

}  // namespace aio::http
