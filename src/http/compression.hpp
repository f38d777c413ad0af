#pragma once
/// @file compression.hpp
/// gzip and deflate bodies (Content-Encoding) with zlib, decoded incrementally under a size limit.
///
/// "deflate" in HTTP means the zlib format (RFC 1950), but some servers send raw deflate (RFC 1951);
/// like browsers and aiohttp the decoder looks at the first two bytes and accepts both. The zlib
/// stream lives behind a pointer so zlib.h stays out of this header.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace aio::http::detail {

/// A content coding aio can decode and encode.
enum class content_coding { identity, gzip, deflate };

/// The coding named by a Content-Encoding value ("gzip", "x-gzip", "deflate", "identity"; any case),
/// or nothing for a coding aio does not support (br, zstd, a list of several).
[[nodiscard]] std::optional<content_coding> parse_content_coding(std::string_view value) noexcept;

/// Decodes a gzip or deflate stream fed in pieces.
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

  /// Decodes `in`, appending to `out`.
  void feed(std::string_view in, std::string& out);
  /// Checks the stream ended properly (the body ended).
  /// @par Errors
  /// `body_error` if the compressed stream was truncated.
  void finish();
  /// Total decoded bytes so far.
  [[nodiscard]] std::size_t total_out() const noexcept { return m_total; }

 private:
  struct state;
  std::unique_ptr<state> m_state;
  content_coding m_coding;
  std::size_t m_max;
  std::size_t m_total = 0;
  bool m_done = false;
};

/// Decodes a whole body. Same errors as `decompressor`.
[[nodiscard]] std::string decompress(std::string_view in, content_coding coding, std::size_t max_output);

/// Encodes a whole body (`level` 0..9, -1 for zlib's default).
[[nodiscard]] std::string compress(std::string_view in, content_coding coding, int level = -1);

}  // namespace aio::http::detail
