#pragma once
/// @file stream_response.hpp
/// `aio::http::stream_response`: a response whose body the handler writes piece by piece
/// (aiohttp's `web.StreamResponse`).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/http/content_coding.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/server/response.hpp"
#include "aio/task/coro.hpp"

namespace aio::http {

class request;
namespace detail {
class http_connection;
class compressor;
/// Deletes a compressor where its type is complete (zlib stays out of this header).
struct compressor_deleter {
  void operator()(compressor* c) const noexcept;
};
}  // namespace detail

/// A streamed response: set the status and headers, `co_await prepare(req)` sends the head, then
/// `write()` pieces and `write_eof()`; the handler returns it (`co_return resp;`).
///
/// The body is chunked unless `set_content_length()` was called (or the client speaks HTTP/1.0,
/// then the connection closes at the end). For HEAD only the head is sent.
///
/// `enable_compression()` before `prepare()` compresses the body as it is written (streaming zlib),
/// when the client accepts gzip or deflate (see `response::enable_compression`): `Content-Encoding`
/// and `Vary` are set, a strong `ETag` becomes weak, a `set_content_length()` is dropped (the compressed
/// length is not known in advance: chunked, or until close for HTTP/1.0). Each `write()` is flushed through
/// zlib, so the client can decode every piece as it arrives.
///
/// @par Errors
/// `write`/`drain` throw `std::system_error` when the client went away, or (`ETIMEDOUT`) when it left
/// more than the high-water mark (64 KiB) unread for `serve_options::send_timeout` (the connection is
/// then aborted, as nginx's `send_timeout`); `std::logic_error` for a
/// write before `prepare` or after `write_eof`, or more bytes than a set Content-Length.
/// @par Example
/// @code
/// aio::http::stream_response resp;
/// resp.set_content_type("text/plain");
/// co_await resp.prepare(req);
/// for (int i = 0; i < 3; ++i) co_await resp.write("tick\n");
/// co_await resp.write_eof();
/// co_return resp;
/// @endcode
class stream_response {
 public:
  explicit stream_response(int status = 200, std::string reason = {})
      : m_status(status), m_reason(std::move(reason)) {}
  stream_response(const stream_response&) = delete;
  stream_response& operator=(const stream_response&) = delete;
  stream_response(stream_response&&) noexcept;
  stream_response& operator=(stream_response&&) noexcept;
  ~stream_response();

  [[nodiscard]] int status() const noexcept { return m_status; }
  void set_status(int status, std::string reason = {}) {
    m_status = status;
    m_reason = std::move(reason);
  }
  [[nodiscard]] aio::http::headers& headers() noexcept { return m_headers; }
  void set_content_type(std::string ct) { m_content_type = std::move(ct); }
  /// Announces the body length (no chunked framing then).
  void set_content_length(std::uint64_t n) noexcept { m_length = n; }
  /// Compresses the body when the client accepts it, or with `force` (aiohttp's
  /// `enable_compression()`); call before `prepare()`. See the class comment.
  void enable_compression(std::optional<content_coding> force = std::nullopt) noexcept {
    m_compress = true;
    m_compress_force = force;
  }
  /// Sends the status line and headers.
  coro<> prepare(request& req);
  [[nodiscard]] bool prepared() const noexcept { return m_conn != nullptr; }
  /// Sends `data` as one piece of the body and waits while the socket's buffer is full.
  coro<> write(std::string_view data);
  /// Waits until the buffered bytes fell under the low-water mark.
  coro<> drain();
  /// Ends the body (after `data`, if any).
  coro<> write_eof(std::string_view data = {});
  /// What the handler returns once it wrote the response.
  operator response() const { return response::already_sent(); }  // NOLINT(google-explicit-constructor)

 private:
  void send_head(request& req);
  bool send_piece(std::string_view data);
  void send_body_bytes(std::string_view wire);
  void start_compression(request& req);
  void end_body();

  int m_status;
  std::string m_reason;
  aio::http::headers m_headers;
  std::string m_content_type;
  std::optional<std::uint64_t> m_length;
  std::optional<content_coding> m_compress_force;
  std::unique_ptr<detail::compressor, detail::compressor_deleter>
      m_compressor;  // set by prepare() when the body is compressed
  bool m_compress = false;
  detail::http_connection* m_conn = nullptr;
  bool m_chunked = false;
  bool m_no_body = false;  // HEAD, 204, 304
  bool m_eof = false;
  std::uint64_t m_written = 0;
};

}  // namespace aio::http
