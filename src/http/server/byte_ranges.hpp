#pragma once
// Range requests for file_response (RFC 9110 14.1.2 Range, 14.4 Content-Range, 15.3.7 206, 14.6
// multipart/byteranges): parsing a `Range: bytes=...` value against the file size, and the framing of
// a multipart/byteranges body. See docs/design/http_server.md, "Range requests".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aio::http::detail {

/// At most this many range-specs are considered; a longer list is ignored (the whole file is sent),
/// as Apache's MaxRanges: many small or overlapping ranges cost the server far more than the client.
inline constexpr std::size_t k_max_ranges = 100;

struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  [[nodiscard]] std::uint64_t length() const noexcept { return last - first + 1; }
};

struct range_request {
  enum class outcome : std::uint8_t {
    ignore,         ///< no valid byte-range set (malformed, another unit, too many): send it all, 200
    unsatisfiable,  ///< valid, but no range overlaps the file: 416 with `Content-Range: bytes */size`
    ranges,         ///< 206 with `ranges` (one: a single part; several: multipart/byteranges)
  };
  outcome result = outcome::ignore;
  /// The satisfiable ranges, clipped to the file, in the order asked; overlapping or adjacent ones
  /// coalesced (then all in ascending order, which RFC 9110 15.3.7.2 allows). Ranges with a gap
  /// between them stay separate parts, however small the gap: that is what clients expect.
  std::vector<byte_range> ranges;
};

/// Evaluates a Range field value for a representation of `size` bytes.
[[nodiscard]] range_request parse_range_header(std::string_view value, std::uint64_t size);

/// The framing of a multipart/byteranges body: a part head before each range, a closing delimiter.
class byteranges_framing {
 public:
  byteranges_framing(std::string_view content_type, std::uint64_t size);
  /// `multipart/byteranges; boundary=...`
  [[nodiscard]] std::string content_type() const;
  /// What precedes the bytes of `r` (index 0 is the first part).
  [[nodiscard]] std::string part_head(std::size_t index, const byte_range& r) const;
  /// What follows the last part.
  [[nodiscard]] std::string closing() const;
  /// The whole body's length for `ranges` (for Content-Length).
  [[nodiscard]] std::uint64_t body_length(const std::vector<byte_range>& ranges) const;

 private:
  std::string m_boundary;
  std::string m_part_type;
  std::uint64_t m_size;
};

}  // namespace aio::http::detail
