#pragma once
/// @file compression.hpp
/// gzip and deflate bodies (Content-Encoding) with zlib: decoded incrementally under a size limit,
/// encoded whole or as a stream, and negotiated from Accept-Encoding.
///
/// "deflate" in HTTP means the zlib format (RFC 1950), but some servers send raw deflate (RFC 1951);
/// like browsers and aiohttp the decoder looks at the first two bytes and accepts both. The zlib
/// stream lives behind a pointer so zlib.h stays out of this header.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/http/content_coding.hpp"

namespace aio::http::detail {

/// A content coding aio can decode and encode (the public enum).
using content_coding = aio::http::content_coding;

/// The coding named by a Content-Encoding value ("gzip", "x-gzip", "deflate", "identity"; any case),
/// or nothing for a coding aio does not support (br, zstd, a list of several).
[[nodiscard]] std::optional<content_coding> parse_content_coding(std::string_view value) noexcept;

/// Decodes a gzip or deflate stream fed in pieces.
///
/// Two bounds keep a hostile stream (a "zip bomb": 1 MB of gzip that inflates to 1 GiB) cheap:
/// `max_output`, the decoded size of the whole stream, and the `max_out` of each `feed`, the most one
/// call appends. A call that reaches `max_out` keeps the input it has not decoded yet (copied: it is
/// at most the caller's input) and `has_pending()` says so; the next `feed` (with more input or none)
/// goes on from there. So one small input never makes one large allocation, and a reader that takes
/// the output piece by piece holds at most `max_out` decoded bytes at a time.
///
/// @par Errors
/// `body_error` for corrupt data or data after the end of the stream; `body_too_large_error` as soon
/// as the output would pass `max_output` (checked while inflating, so a zip bomb costs at most
/// `max_output` bytes of memory).
class decompressor {
 public:
  decompressor(content_coding coding, std::size_t max_output);
  decompressor(decompressor&&) noexcept;
  decompressor& operator=(decompressor&&) noexcept;
  ~decompressor();

  /// Decodes `in` after whatever earlier calls kept, appending at most `max_out` bytes to `out`
  /// (identity: all of `in`, which cannot inflate).
  void feed(std::string_view in, std::string& out, std::size_t max_out = SIZE_MAX);
  /// True when a `feed` stopped at its `max_out` with input or output left: call `feed` again (with
  /// no new input) before expecting the stream to end.
  [[nodiscard]] bool has_pending() const noexcept { return !m_held.empty() || m_out_full; }
  /// Checks the stream ended properly (the body ended).
  /// @par Errors
  /// `body_error` if the compressed stream was truncated.
  void finish();
  /// Total decoded bytes so far.
  [[nodiscard]] std::size_t total_out() const noexcept { return m_total; }
  /// The `max_output` it was made with.
  [[nodiscard]] std::size_t max_output() const noexcept { return m_max; }

 private:
  struct state;
  std::unique_ptr<state> m_state;
  std::string m_held;  // input a feed stopped before (at its max_out)
  content_coding m_coding;
  std::size_t m_max;
  std::size_t m_total = 0;
  bool m_done = false;
  bool m_out_full = false;  // the last feed filled its max_out: zlib may hold more output
};

/// Decodes a whole body. Same errors as `decompressor`.
[[nodiscard]] std::string decompress(std::string_view in, content_coding coding, std::size_t max_output);

/// Encodes a whole body (`level` 0..9, -1 for zlib's default).
[[nodiscard]] std::string compress(std::string_view in, content_coding coding, int level = -1);

/// Encodes a gzip or deflate stream fed in pieces (a streamed response body). Each `feed` ends with a
/// sync flush, so the peer can decode every piece as soon as it arrives (a server-sent event is not
/// held back inside zlib), at the cost of a few bytes per piece.
class compressor {
 public:
  /// `coding` must not be identity. @par Errors `std::invalid_argument` for a bad level.
  explicit compressor(content_coding coding, int level = -1);
  compressor(compressor&&) noexcept;
  compressor& operator=(compressor&&) noexcept;
  ~compressor();

  /// Encodes `in` and appends to `out` what decodes everything fed so far.
  void feed(std::string_view in, std::string& out);
  /// Ends the stream (the gzip trailer), appending to `out`. Nothing may be fed afterwards.
  void finish(std::string& out);

 private:
  struct state;
  std::unique_ptr<state> m_state;
};

/// What an Accept-Encoding value ranks (RFC 9110 12.5.3): q-values in thousandths, -1 for a coding the
/// field does not name. Elements with a malformed q-value or other parameters are skipped.
struct accept_encoding_ranks {
  int gzip = -1;  ///< "gzip" or "x-gzip"
  int deflate = -1;
  int br = -1;  ///< aio cannot encode brotli; this is for precompressed `.br` files only
  int identity = -1;
  int any = -1;  ///< "*": every coding the field does not name
};

/// Parses an Accept-Encoding field value (the one parser behind `negotiate_content_coding` and the
/// choice of a file_response's precompressed sibling).
[[nodiscard]] accept_encoding_ranks parse_accept_encoding(std::string_view value) noexcept;

/// The coding to answer a request with, from its Accept-Encoding value (nullopt: no such field):
/// the acceptable coding (q > 0) with the highest q-value, gzip before deflate on a tie, and identity
/// when no compressed coding is acceptable or identity is explicitly preferred (RFC 9110 12.5.3:
/// `*` stands for codings not listed; identity is acceptable unless excluded, so an excluded identity
/// with nothing else acceptable still gets identity, the server's only choice short of 406).
[[nodiscard]] content_coding negotiate_content_coding(
    std::optional<std::string_view> accept_encoding) noexcept;

/// The Content-Encoding token of `coding` ("gzip", "deflate", "identity").
[[nodiscard]] std::string_view content_coding_name(content_coding coding) noexcept;

}  // namespace aio::http::detail
