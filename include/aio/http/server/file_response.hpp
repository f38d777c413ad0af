#pragma once
/// @file file_response.hpp
/// `aio::http::file_response`: send a file (aiohttp's `web.FileResponse`).

#include <filesystem>

#include "aio/http/server/response.hpp"

namespace aio::http {

/// A response that sends the file at `path` when the handler returns it.
///
/// The server answers 404 if the file cannot be opened, sets Content-Type from the extension,
/// `Last-Modified` and a weak `ETag` (from the modification time and size), answers
/// `If-None-Match` / `If-Modified-Since` with 304, a `Range: bytes=...` with 206 (`Content-Range`;
/// several ranges as `multipart/byteranges`, overlapping ones merged) or 416 when no range is
/// satisfiable; a malformed Range, more than 100 ranges, or an `If-Range` that does not match sends
/// the whole file. HEAD gets the head only. The bytes are sent with `stream_writer::sendfile`
/// (sendfile(2); pread + write with flow control on TLS). `enable_compression()` does not apply.
/// `headers()` of the returned response are sent too (e.g. Cache-Control).
///
/// Precompressed siblings, as aiohttp's: when the request's Accept-Encoding accepts brotli or gzip
/// (q-values respected; the higher q wins, brotli on a tie) and `path + ".br"` or `path + ".gz"` is
/// a regular file (not a symbolic link), that file is sent instead with `Content-Encoding`, the
/// Content-Type of `path`, and its own `Last-Modified` and `ETag` (which names the coding, so it
/// differs from the file's); ranges apply to the compressed bytes. It is served even if `path` itself
/// is missing. Whenever a sibling exists the response carries `Vary: Accept-Encoding`, compressed or
/// not. A `Content-Encoding` among `headers()` turns the lookup off (the file is taken as encoded).
///
/// @par Example
/// @code
/// app.router().add_get("/report", [](aio::http::request&) -> aio::coro<aio::http::response> {
///   co_return aio::http::file_response("/srv/report.pdf");
/// });
/// @endcode
[[nodiscard]] inline response file_response(std::filesystem::path path) {
  return response::from_file(std::move(path));
}

}  // namespace aio::http
