#pragma once
/// @file content_coding.hpp
/// `aio::http::content_coding`: the content codings aio encodes and decodes (aiohttp's `ContentCoding`).

#include <cstdint>

namespace aio::http {

/// A `Content-Encoding` aio supports: the client decodes gzip and deflate bodies, the server compresses
/// responses with them (`response::enable_compression`).
enum class content_coding : std::uint8_t {
  identity,  ///< no coding
  gzip,      ///< RFC 1952 (also accepted as "x-gzip")
  deflate,   ///< the zlib format (RFC 1950); raw deflate is accepted when decoding
};

}  // namespace aio::http
