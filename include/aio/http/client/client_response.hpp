#pragma once
/// @file client_response.hpp
/// `aio::http::client_response`: what `client_session::get()` and friends return (aiohttp's
/// `ClientResponse`), and its streaming body reader `response_content`.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/http/headers.hpp"
#include "aio/http/message_head.hpp"
#include "aio/http/url.hpp"
#include "aio/task/coro.hpp"

namespace aio::http {

namespace detail {
struct response_body;
}  // namespace detail

class chunk_iterator;

/// The body of a response as a stream (aiohttp's `resp.content`). Pieces are decoded (de-chunked,
/// decompressed). Reading the body to its end gives the connection back to the session's pool.
///
/// @par Cancellation
/// Cancelling a read closes the connection (it is never reused half-read); the response can no
/// longer be read.
/// @par Errors
/// `client_payload_error` (malformed framing, corrupt compression), `server_disconnected_error` (the
/// body was cut short), `client_timeout_error` (`sock_read` or `total`).
class response_content {
 public:
  /// The next piece of the body, at most `n` bytes, as soon as any is available; "" at the end.
  coro<std::string> read_chunk(std::size_t n = 65536);
  /// Reads `n` bytes (fewer only at the end), or everything left when `n` is negative.
  coro<std::string> read(std::ptrdiff_t n = -1);
  /// `while (auto chunk = co_await it.next()) { ... }` over pieces of at most `n` bytes
  /// (aiohttp's `iter_chunked(n)`).
  [[nodiscard]] chunk_iterator iter_chunked(std::size_t n);
  /// True once the whole body has been read.
  [[nodiscard]] bool at_eof() const noexcept;

 private:
  friend class client_response;
  explicit response_content(detail::response_body* b) noexcept : m_body(b) {}
  detail::response_body* m_body;
};

/// Pieces of a body; see `response_content::iter_chunked`.
class chunk_iterator {
 public:
  chunk_iterator(response_content& c, std::size_t n) noexcept : m_content(&c), m_n(n) {}
  /// The next piece, or nothing at the end.
  coro<std::optional<std::string>> next();

 private:
  response_content* m_content;
  std::size_t m_n;
};

/// A response: status, headers, and the body, read once with `read()`/`text()`/`json()` or streamed
/// with `content()`. Move-only. Destroying a response whose body was not read to its end closes its
/// connection (it is never put back in the pool half-read); `release()` does it at once.
///
/// @par Errors
/// `read()`, `text()` and `json()` as `response_content`; `json()` also `content_type_error` for a
/// non-JSON Content-Type and `nlohmann::json::parse_error`; `text()` `client_payload_error` for a
/// charset iconv does not know.
class client_response {
 public:
  client_response();
  client_response(client_response&&) noexcept;
  client_response& operator=(client_response&&) noexcept;
  client_response(const client_response&) = delete;
  client_response& operator=(const client_response&) = delete;
  ~client_response();

  [[nodiscard]] int status() const noexcept { return m_head.status; }
  /// The reason phrase as sent ("OK").
  [[nodiscard]] std::string_view reason() const noexcept { return m_head.reason; }
  [[nodiscard]] const http::headers& headers() const noexcept { return m_head.headers; }
  [[nodiscard]] http_version version() const noexcept { return m_head.version; }
  /// The method of the request that got this response (after redirects: the last one's).
  [[nodiscard]] std::string_view method() const noexcept { return m_method; }
  /// The URL of the request that got this response (after redirects: the last one).
  [[nodiscard]] const http::url& url() const noexcept { return m_url; }
  /// The redirect responses that led here, oldest first (their bodies already read).
  [[nodiscard]] const std::vector<client_response>& history() const noexcept { return m_history; }
  /// The Content-Type's media type, lower-case ("text/html"); "application/octet-stream" if absent.
  [[nodiscard]] std::string content_type() const;
  /// The Content-Type's charset parameter, lower-case, if any.
  [[nodiscard]] std::optional<std::string> charset() const;
  /// The Content-Length header, if any.
  [[nodiscard]] std::optional<std::uint64_t> content_length() const noexcept {
    return m_head.framing.content_length;
  }
  /// True for a status below 400.
  [[nodiscard]] bool ok() const noexcept { return m_head.status < 400; }
  /// Throws `client_response_error` (status, reason) for a status of 400 or more.
  void raise_for_status() const;

  /// The whole body (decoded), read once and kept: later calls return the same bytes.
  coro<std::string> read();
  /// The body as UTF-8 text: converted from the Content-Type's charset (UTF-8 when none).
  coro<std::string> text();
  /// The body converted from `encoding` to UTF-8.
  coro<std::string> text(std::string encoding);
  /// The body parsed as JSON. Checks that the Content-Type is JSON unless `check_content_type` is
  /// false.
  coro<nlohmann::json> json(bool check_content_type = true);
  /// The streaming body reader.
  [[nodiscard]] response_content& content() noexcept { return m_content; }

  /// Ends the response now: a body read to its end gives the connection back; otherwise it is
  /// closed. Idempotent.
  void release() noexcept;
  /// Closes the connection (even if it could be reused). Idempotent.
  void close() noexcept;
  /// True once the connection is released or closed.
  [[nodiscard]] bool closed() const noexcept;

  // --- used by the session -----------------------------------------------------------------
  /// @cond internal
  client_response(response_head head, std::string method, http::url u,
                  std::unique_ptr<detail::response_body> body);
  void set_history(std::vector<client_response> h) { m_history = std::move(h); }
  [[nodiscard]] detail::response_body* body_state() const noexcept { return m_body.get(); }
  /// @endcond

 private:
  response_head m_head;
  std::string m_method;
  http::url m_url;
  std::vector<client_response> m_history;
  std::unique_ptr<detail::response_body> m_body;
  std::optional<std::string> m_read;
  response_content m_content{nullptr};
};

}  // namespace aio::http
