#pragma once
/// @file ws_encoder.hpp
/// `aio::http::ws_encoder`: WebSocket messages in, frame bytes out (I/O-free, RFC 6455).
/// Private to src/http: `websocket_connection` drives it (tests and the benchmark include it by path).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aio/http/websocket/ws_close_code.hpp"
#include "aio/http/websocket/ws_deflate_params.hpp"
#include "aio/http/websocket/ws_role.hpp"
#include "ws_mask.hpp"
#include "ws_opcode.hpp"

namespace aio::http {

namespace detail {
class ws_deflater;
}

/// Writes WebSocket frames into a caller's output buffer.
///
/// A `client` encoder masks every frame with a fresh 4-byte key from a xoshiro256** generator
/// seeded from OpenSSL's `RAND_bytes` (RFC 6455 section 5.3 asks for unpredictable keys; masking
/// exists to stop browser scripts from choosing the bytes on the wire, see
/// docs/design/websocket.md). A `server` encoder never masks. Frames are appended to `out`, so a
/// connection can batch several into one write. After `enable_deflate`, data messages are compressed
/// (permessage-deflate, RSV1 on their first frame); control frames never are.
/// @par Errors
/// `std::invalid_argument` for a text payload or close reason that is not UTF-8, a control payload
/// longer than 125 bytes (a close reason longer than 123), or a close code that may not be sent.
/// Nothing is appended when it throws.
/// @par Thread safety
/// None: one encoder per connection.
/// @par Example
/// @code
/// aio::http::ws_encoder enc(aio::http::ws_role::client);
/// std::string out;
/// enc.text(out, "hello");
/// enc.close(out, aio::http::ws_close_code::normal, "bye");
/// co_await stream.write(out);
/// @endcode
class ws_encoder {
 public:
  /// An encoder for `role`; a client one seeds its key generator from OpenSSL's `RAND_bytes`.
  explicit ws_encoder(ws_role role);
  /// An encoder with a fixed seed for the masking keys: reproducible frames for tests only.
  ws_encoder(ws_role role, std::uint64_t seed) noexcept;
  ws_encoder(ws_encoder&&) noexcept;
  ws_encoder& operator=(ws_encoder&&) noexcept;
  ws_encoder(const ws_encoder&) = delete;
  ws_encoder& operator=(const ws_encoder&) = delete;
  ~ws_encoder();

  /// Compresses every data message from now on, with the window and context takeover `params` give
  /// this encoder's role. A window of 8 bits, which zlib's raw deflate cannot produce, leaves messages
  /// uncompressed (allowed: RSV1 is per message). @par Errors `std::bad_alloc`.
  void enable_deflate(const ws_deflate_params& params);
  /// True when data messages are being compressed.
  [[nodiscard]] bool deflating() const noexcept { return m_deflater != nullptr; }

  /// Appends a text message, split into frames of at most `fragment_size` payload bytes
  /// (0: one frame).
  void text(std::string& out, std::string_view payload, std::size_t fragment_size = 0);
  /// Appends a binary message, split like `text`.
  void binary(std::string& out, std::string_view payload, std::size_t fragment_size = 0);
  /// Appends a ping with at most 125 bytes of payload.
  void ping(std::string& out, std::string_view payload = {});
  /// Appends a pong with at most 125 bytes of payload.
  void pong(std::string& out, std::string_view payload = {});
  /// Appends a close frame with `code` and a UTF-8 `reason` of at most 123 bytes.
  void close(std::string& out, std::uint16_t code = ws_close_code::normal, std::string_view reason = {});
  /// Appends a close frame with no payload (the peer then reports `ws_close_code::no_status`).
  void close_without_code(std::string& out);

  /// Appends one frame as given, with no validation beyond the frame format itself: the building
  /// block of the others, and of tests that need malformed sequences (fragments, odd opcodes, RSV1).
  void frame(std::string& out, ws_opcode opcode, std::string_view payload, bool fin = true,
             bool rsv1 = false);

  /// The role given at construction.
  [[nodiscard]] ws_role role() const noexcept { return m_role; }
  /// The size of a frame header for a `payload_size`-byte payload with or without a mask (2-14).
  [[nodiscard]] static std::size_t header_size(std::uint64_t payload_size, bool masked) noexcept;

 private:
  void message(std::string& out, ws_opcode opcode, std::string_view payload, std::size_t fragment_size);
  void control(std::string& out, ws_opcode opcode, std::string_view payload);
  detail::ws_mask_key next_key() noexcept;

  std::uint64_t m_state[4] = {};                    // xoshiro256** state (client only)
  std::unique_ptr<detail::ws_deflater> m_deflater;  // set once permessage-deflate is negotiated
  std::string m_compressed;                         // the compressed message being framed
  ws_role m_role;
};

}  // namespace aio::http
