#pragma once
// permessage-deflate's compression (RFC 7692 section 7): raw DEFLATE through zlib, one compressor for
// what this side sends and one decompressor for what the peer sends (private to src/http).
//
// Each message is compressed with a sync flush and sent without the 00 00 ff ff that ends the flush;
// the receiver appends those four bytes back before the last inflate. With context takeover (the
// default) each side keeps its sliding window from message to message; with `no_context_takeover` the
// stream is reset after every message, which costs ratio and saves the peer's memory.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace aio::http::detail {

/// Compresses whole messages (the payload of a data frame with RSV1 set).
class ws_deflater {
 public:
  /// `window_bits`: 9..15 (zlib's raw deflate cannot honour 8); `no_context_takeover`: reset after
  /// each message. @par Errors `std::bad_alloc`; `std::invalid_argument` for an unsupported window.
  ws_deflater(int window_bits, bool no_context_takeover);
  ws_deflater(const ws_deflater&) = delete;
  ws_deflater& operator=(const ws_deflater&) = delete;
  ~ws_deflater();

  /// Appends the compressed form of `message` to `out`, without the trailing 00 00 ff ff.
  void compress(std::string_view message, std::string& out);

 private:
  struct impl;
  std::unique_ptr<impl> m_impl;
  bool m_no_context_takeover;
};

/// What an inflate step found.
enum class ws_inflate_status : unsigned char {
  ok,        ///< everything consumed, output within the limit
  too_big,   ///< the output would exceed the limit (a deflate bomb, or just a large message)
  bad_data,  ///< not valid DEFLATE data
};

/// Decompresses the peer's messages piece by piece, never holding more than the limit.
class ws_inflater {
 public:
  /// `no_context_takeover`: the peer resets its window after each message, so this side may too.
  explicit ws_inflater(bool no_context_takeover);
  ws_inflater(const ws_inflater&) = delete;
  ws_inflater& operator=(const ws_inflater&) = delete;
  ~ws_inflater();

  /// Inflates `in` (a piece of a compressed message) onto the end of `out`, which must stay at most
  /// `limit` bytes long (0: no limit).
  ws_inflate_status feed(std::string_view in, std::string& out, std::size_t limit);
  /// Ends the message: feeds the 00 00 ff ff tail, then resets the window without context takeover.
  ws_inflate_status finish(std::string& out, std::size_t limit);
  /// Forgets a message that was abandoned half-way (the connection failed).
  void reset() noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> m_impl;
  bool m_no_context_takeover;
};

}  // namespace aio::http::detail
