#pragma once
// Response compression (response::enable_compression, stream_response::enable_compression): choosing
// the coding and marking the head; and the choice of a file_response's precompressed sibling. See
// docs/design/http_server.md, "Response compression" and "Precompressed files".

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "../compression.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/server/response.hpp"

namespace aio::http::detail {

/// The coding for a response whose compression is enabled: `force`, or negotiated from the request's
/// Accept-Encoding. Identity when the response already has a Content-Encoding (the handler encoded
/// it) or its status carries no body.
[[nodiscard]] content_coding choose_response_coding(std::optional<content_coding> force, int status,
                                                    const headers& response_fields,
                                                    const headers& request_fields) noexcept;

/// Marks the head: `Content-Encoding` when `coding` is not identity; `Accept-Encoding` added to `Vary`
/// when the choice was negotiated (a cache must not serve the gzip variant to everyone). A strong
/// `ETag` of a body that gets compressed becomes weak (the bytes differ from the ones it named; as
/// nginx, an unquoted, malformed one is dropped).
void mark_response_coding(headers& response_fields, content_coding coding, bool negotiated);

/// Adds `Accept-Encoding` to the `Vary` field (creating it, or appending when it names other fields).
void add_vary_accept_encoding(headers& response_fields);

/// For a `response` with compression enabled and an in-memory body: compresses the body in place and
/// marks the head.
void compress_response(response& resp, const headers& request_fields);

/// A precompressed sibling of a file: `path + suffix` holds the file's bytes in `coding`.
struct precompressed_variant {
  std::string_view coding;  ///< the Content-Encoding token
  std::string_view suffix;
};

/// The siblings a file_response looks for, in aiohttp's order (which breaks ties): brotli, then gzip.
inline constexpr std::array<precompressed_variant, 2> k_precompressed_variants = {{
    {"br", ".br"},
    {"gzip", ".gz"},
}};

/// The siblings a request accepts, most preferred first: `index[0..count)` into
/// `k_precompressed_variants`.
struct precompressed_order {
  std::array<std::size_t, k_precompressed_variants.size()> index{};
  std::size_t count = 0;
};

/// Orders the siblings by the request's Accept-Encoding with `negotiate_content_coding`'s rules: q > 0,
/// not ranked below an explicitly ranked identity, highest q first (ties in the table's order). None
/// without an Accept-Encoding field.
[[nodiscard]] precompressed_order acceptable_precompressed(
    std::optional<std::string_view> accept_encoding) noexcept;

}  // namespace aio::http::detail
