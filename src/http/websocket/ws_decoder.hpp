#pragma once
/// @file ws_decoder.hpp
/// `aio::http::ws_decoder`: bytes in, complete WebSocket messages out (I/O-free, RFC 6455).
/// Private to src/http: `websocket_connection` drives it (tests, the fuzzer and the benchmark include it
/// by path).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/http/websocket/websocket_options.hpp"
#include "aio/http/websocket/ws_deflate_params.hpp"
#include "aio/http/websocket/ws_message.hpp"
#include "aio/http/websocket/ws_role.hpp"
#include "utf8_validator.hpp"
#include "ws_frame_parser.hpp"

namespace aio::http {

namespace detail {
class ws_inflater;
}

/// Turns the bytes a WebSocket peer sends into `ws_message`s, enforcing RFC 6455.
///
/// Push-style and I/O-free: the connection reads into its buffer, then calls `feed` until it returns
/// nothing, handling each message it gets. Bytes may arrive in any split (one at a time works); the
/// decoder keeps only the message being assembled, never the input. Payloads are unmasked while
/// they are copied from the input into the message, the only copy made.
///
/// Fragmented messages are joined (control frames may arrive between their fragments and are
/// returned at once). Text is validated as UTF-8 as it arrives, so an invalid byte is reported
/// without waiting for the rest of the message. A violation yields one `ws_msg_type::error` message
/// whose `close_code` is the code to close with and whose `extra` explains it:
/// - 1002 `protocol_error`: reserved bits set (RSV1 is allowed only on the first frame of a data
///   message once permessage-deflate is enabled; RSV2 and RSV3 never), a reserved opcode, a
///   control frame longer than 125 bytes or fragmented, a continuation with no message open, a new
///   message while one is open, wrong masking for the role (a server requires masked frames, a
///   client refuses them), a 64-bit length with its top bit set, a close payload of one byte or
///   with a code that may not be sent, a compressed message that is not valid DEFLATE data;
/// - 1007 `invalid_payload`: a text message or close reason that is not UTF-8;
/// - 1009 `message_too_big`: a message longer than `max_msg_size` (0: no limit), detected from the
///   frame header before the payload is buffered; for a compressed message, the decompressed size,
///   checked as it is inflated, so a deflate bomb never takes more than `max_msg_size` bytes.
///
/// After an error or a close frame the decoder is finished: `feed` consumes nothing more (a peer
/// must not send after its close frame).
/// @par Errors
/// Protocol errors are messages, not exceptions. `feed` throws only `std::bad_alloc`.
/// @par Thread safety
/// None: one decoder per connection.
/// @par Example
/// @code
/// aio::http::ws_decoder dec(aio::http::ws_role::server);
/// std::string_view in = bytes_just_read;
/// while (auto msg = dec.feed(in)) handle(*msg);  // `in` is empty afterwards unless finished()
/// @endcode
class ws_decoder {
 public:
  /// A decoder for `role` that refuses messages longer than `max_msg_size` bytes (0: unlimited).
  explicit ws_decoder(ws_role role, std::size_t max_msg_size = ws_default_max_msg_size) noexcept;
  ws_decoder(ws_decoder&&) noexcept;
  ws_decoder& operator=(ws_decoder&&) noexcept;
  ws_decoder(const ws_decoder&) = delete;
  ws_decoder& operator=(const ws_decoder&) = delete;
  ~ws_decoder();

  /// Accepts compressed messages (RSV1) from now on, as negotiated by permessage-deflate: the
  /// peer's direction uses `params`' context takeover setting for the peer's role.
  /// @par Errors `std::bad_alloc`.
  void enable_deflate(const ws_deflate_params& params);
  /// True once `enable_deflate` was called.
  [[nodiscard]] bool deflate_enabled() const noexcept { return m_inflater != nullptr; }

  /// Consumes bytes from the front of `in` until a message completes (returned) or `in` is empty
  /// (nothing returned; the partial message is kept for the next call).
  ///
  /// `in` is advanced past the consumed bytes. Once `finished()`, returns nothing and consumes
  /// nothing.
  std::optional<ws_message> feed(std::string_view& in);
  /// `feed` for a temporary view; the unconsumed rest is lost, so use it only when every message is
  /// taken (call it again with an empty view until it returns nothing) or for a final close frame.
  std::optional<ws_message> feed(std::string_view&& in) { return feed(in); }

  /// True after a close frame or a protocol error was returned.
  [[nodiscard]] bool finished() const noexcept { return m_finished; }
  /// The role given at construction.
  [[nodiscard]] ws_role role() const noexcept { return m_role; }
  /// The limit given at construction (0: unlimited).
  [[nodiscard]] std::size_t max_msg_size() const noexcept { return m_max_msg_size; }

 private:
  std::optional<ws_message> on_header(std::size_t available);
  std::optional<ws_message> on_payload();
  std::optional<ws_message> end_control_frame();
  /// Inflates a compressed payload chunk onto the message; false on a DEFLATE error or over the limit.
  bool inflate_chunk(std::string_view chunk);
  ws_message inflate_failure();
  ws_message fail(std::uint16_t code, std::string reason);

  detail::ws_frame_parser m_parser;
  detail::utf8_validator m_utf8;  // the open text message, across its fragments
  std::string m_message;          // payload of the open data message
  std::string m_control;          // payload of the current control frame (at most 125 bytes)
  std::unique_ptr<detail::ws_inflater> m_inflater;  // set once permessage-deflate is negotiated
  std::string m_scratch;                            // a compressed chunk, unmasked, before inflating
  std::size_t m_max_msg_size;
  ws_role m_role;
  bool m_in_message = false;       // a data message is open (its last frame has not arrived)
  bool m_text = false;             // the open message is text
  bool m_compressed = false;       // the open message had RSV1 on its first frame
  bool m_inflate_too_big = false;  // why the last inflate_chunk failed
  bool m_finished = false;
};

}  // namespace aio::http
