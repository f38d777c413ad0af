#pragma once
/// @file ws_frame_parser.hpp
/// `aio::http::detail::ws_frame_parser`: push-style, zero-copy splitting of bytes into frames.

#include <array>
#include <cstdint>
#include <string_view>

#include "ws_mask.hpp"

namespace aio::http::detail {

/// The decoded header of one WebSocket frame (RFC 6455 section 5.2), before any validation.
struct ws_frame_header {
  bool fin = false;          ///< FIN: this frame ends its message.
  std::uint8_t rsv = 0;      ///< RSV1, RSV2, RSV3 as bits 2, 1, 0.
  std::uint8_t opcode = 0;   ///< The raw 4-bit opcode (possibly a reserved one).
  bool masked = false;       ///< MASK: a masking key follows the length.
  ws_mask_key mask{};        ///< The masking key when `masked`.
  std::uint64_t length = 0;  ///< Payload length as sent (the top bit may be set: the caller checks).
};

/// Splits a byte stream, fed in arbitrary pieces, into frame headers and payload chunks.
///
/// Design: the parser owns no payload memory. `next` consumes from the front of the caller's buffer
/// (the connection's read buffer) and reports either a complete header or a chunk of payload as a
/// view into that buffer, still masked; `chunk_offset()` tells the caller where the chunk sits in
/// the payload so it can unmask while copying it to its destination (one pass, see `ws_mask`). Only a
/// header split across two `next` calls is copied, into a 14-byte array. Every frame is reported as
/// one `header` event followed by one or more `payload` events, the last with `frame_done()`; a frame
/// with an empty payload gets exactly one empty `payload` event. No validation happens here: the
/// decoder (`ws_decoder`) judges opcodes, reserved bits, masking and lengths.
/// @par Thread safety
/// None: one parser per connection.
class ws_frame_parser {
 public:
  /// What `next` found.
  enum class event : unsigned char {
    need_more,  ///< `in` is exhausted; feed more bytes.
    header,     ///< A frame header completed: see `header()`.
    payload,    ///< A chunk of payload: see `chunk()`, `chunk_offset()`, `frame_done()`.
  };

  /// Consumes bytes from the front of `in` (advancing it) up to the next event.
  event next(std::string_view& in) noexcept;
  /// The header of the current frame (valid from its `header` event until the next one).
  [[nodiscard]] const ws_frame_header& header() const noexcept { return m_header; }
  /// The payload bytes of the last `payload` event: a view into the buffer passed to `next`.
  [[nodiscard]] std::string_view chunk() const noexcept { return m_chunk; }
  /// Position of `chunk()[0]` within the current frame's payload.
  [[nodiscard]] std::uint64_t chunk_offset() const noexcept { return m_chunk_offset; }
  /// True when the last `payload` event ended the current frame.
  [[nodiscard]] bool frame_done() const noexcept { return m_state == state::header; }

 private:
  enum class state : unsigned char { header, payload };
  void parse_header(const std::uint8_t* p) noexcept;

  ws_frame_header m_header;
  std::string_view m_chunk;
  std::uint64_t m_chunk_offset = 0;
  std::uint64_t m_offset = 0;     // payload bytes of the current frame consumed so far
  std::uint64_t m_remaining = 0;  // payload bytes of the current frame still to come
  std::array<std::uint8_t, 14> m_hbuf{};
  std::uint8_t m_hlen = 0;  // header bytes buffered in m_hbuf (only when a header is split)
  state m_state = state::header;
};

}  // namespace aio::http::detail
