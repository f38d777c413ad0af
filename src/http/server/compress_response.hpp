#pragma once
// Response compression (response::enable_compression, stream_response::enable_compression): choosing
// the coding and marking the head. See docs/design/http_server.md, "Response compression".

#include <optional>

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
/// when the choice was negotiated (a cache must not serve the gzip variant to everyone).
void mark_response_coding(headers& response_fields, content_coding coding, bool negotiated);

/// For a `response` with compression enabled and an in-memory body: compresses the body in place and
/// marks the head.
void compress_response(response& resp, const headers& request_fields);

}  // namespace aio::http::detail
