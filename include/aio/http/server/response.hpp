#pragma once
/// @file response.hpp
/// `aio::http::response`: what a handler returns (aiohttp's `web.Response`), the helpers
/// `text_response` / `json_response`, and `http_error` (aiohttp's `web.HTTPException`).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aio/http/content_coding.hpp"
#include "aio/http/headers.hpp"

namespace aio::http {

/// A complete response: status, headers and a body held in memory, or a file the server sends
/// (`file_response`), or a marker that the handler already sent it (`stream_response`,
/// `websocket_response`).
///
/// The server adds `Content-Length` (or chunked framing), `Date`, `Server` and `Connection`; a
/// `Content-Length` or `Transfer-Encoding` among `headers()` of an in-memory body is ignored.
/// A HEAD request gets the same head without the body.
///
/// @par Example
/// @code
/// aio::http::response r(201, "created");
/// r.headers().add("Location", "/items/7");
/// co_return r;
/// @endcode
class response {
 public:
  /// How the body is held.
  enum class body_kind : std::uint8_t { bytes, file, sent };

  /// 200 with an empty body.
  response() = default;
  explicit response(int status) : m_status(status) {}
  /// `status` with `body`, Content-Type `text/plain; charset=utf-8` unless `content_type` is given.
  response(int status, std::string body, std::string content_type = {})
      : m_status(status), m_body(std::move(body)), m_content_type(std::move(content_type)) {}

  [[nodiscard]] int status() const noexcept { return m_status; }
  /// Sets the status and, optionally, a non-standard reason phrase.
  void set_status(int status, std::string reason = {}) {
    m_status = status;
    m_reason = std::move(reason);
  }
  /// The reason phrase given to `set_status` ("" means the standard one).
  [[nodiscard]] const std::string& reason() const noexcept { return m_reason; }
  [[nodiscard]] aio::http::headers& headers() noexcept { return m_headers; }
  [[nodiscard]] const aio::http::headers& headers() const noexcept { return m_headers; }
  [[nodiscard]] const std::string& body() const noexcept { return m_body; }
  [[nodiscard]] std::string& body() noexcept { return m_body; }
  void set_body(std::string body) { m_body = std::move(body); }
  /// The Content-Type the server sends ("" means `text/plain; charset=utf-8` for a non-empty body,
  /// unless `headers()` has one).
  [[nodiscard]] const std::string& content_type() const noexcept { return m_content_type; }
  void set_content_type(std::string ct) { m_content_type = std::move(ct); }
  /// Compresses the body when the client accepts it (aiohttp's `enable_compression()`): gzip or deflate
  /// chosen from the request's Accept-Encoding (q-values, `identity`, `*`; gzip on a tie), or `force`
  /// regardless of it (as aiohttp's `force=`; identity then means no compression). The server sets
  /// `Content-Encoding`, adds `Accept-Encoding` to `Vary` (unless forced) and sends the compressed
  /// length, also for HEAD; a strong `ETag` of the handler's becomes weak (`W/"..."`, as nginx does:
  /// the bytes differ from the uncompressed ones). Nothing happens for an empty body, a status
  /// without a body, a response whose headers already name a `Content-Encoding`, and
  /// `file_response` (sent as is with sendfile, or a precompressed `.br`/`.gz` sibling).
  /// The body is compressed on the loop thread, in one go.
  void enable_compression(std::optional<content_coding> force = std::nullopt) noexcept {
    m_compress = true;
    m_compress_force = force;
  }
  [[nodiscard]] bool compression_enabled() const noexcept { return m_compress; }
  /// The coding given to `enable_compression` (nullopt: negotiated).
  [[nodiscard]] std::optional<content_coding> compression_force() const noexcept { return m_compress_force; }
  /// Forces `Connection: close` after this response.
  void force_close() noexcept { m_force_close = true; }
  [[nodiscard]] bool must_close() const noexcept { return m_force_close; }

  [[nodiscard]] body_kind kind() const noexcept { return m_kind; }
  /// For `file_response`: the file to send.
  [[nodiscard]] const std::filesystem::path& file_path() const noexcept {
    return m_file ? *m_file : no_file();
  }

  /// A response the handler already sent itself (what a prepared `stream_response` converts to).
  [[nodiscard]] static response already_sent() {
    response r;
    r.m_kind = body_kind::sent;
    return r;
  }
  /// A response that sends the file at `path` (see `file_response`).
  [[nodiscard]] static response from_file(std::filesystem::path path) {
    response r;
    r.m_kind = body_kind::file;
    r.m_file.emplace(std::move(path));
    return r;
  }

 private:
  int m_status = 200;
  body_kind m_kind = body_kind::bytes;
  bool m_force_close = false;
  bool m_compress = false;
  std::optional<content_coding> m_compress_force;
  std::string m_reason;
  aio::http::headers m_headers;
  std::string m_body;
  std::string m_content_type;
  // Only file responses have a path: libstdc++'s path re-splits itself when moved from, and a plain
  // response is moved several times on its way out of a handler.
  std::optional<std::filesystem::path> m_file;
  static const std::filesystem::path& no_file() noexcept {
    static const std::filesystem::path empty;
    return empty;
  }
};

/// A `text/plain; charset=utf-8` response (or `content_type`).
[[nodiscard]] inline response text_response(std::string text, int status = 200,
                                            std::string content_type = {}) {
  return response(status, std::move(text), std::move(content_type));
}

/// An `application/json` response with `value` serialised (`dump()`).
[[nodiscard]] inline response json_response(const nlohmann::json& value, int status = 200) {
  return response(status, value.dump(), "application/json");
}

/// Thrown by a handler or middleware to answer with `status` at once (aiohttp's `raise
/// web.HTTPNotFound()`): the server answers with the status and `text` (default "404: Not Found").
/// Unlike any other exception, its text is sent to the client.
class http_error : public std::runtime_error {
 public:
  explicit http_error(int status, std::string text = {});
  [[nodiscard]] int status() const noexcept { return m_status; }
  [[nodiscard]] aio::http::headers& headers() noexcept { return m_headers; }
  [[nodiscard]] const aio::http::headers& headers() const noexcept { return m_headers; }
  /// The response the server sends for this error.
  [[nodiscard]] response to_response() const;

 private:
  int m_status;
  aio::http::headers m_headers;
};

}  // namespace aio::http
