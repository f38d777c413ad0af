#pragma once
/// @file request.hpp
/// `aio::http::request`: one request as a handler sees it (aiohttp's `web.Request`).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/http/headers.hpp"
#include "aio/http/message_head.hpp"
#include "aio/http/multipart.hpp"
#include "aio/http/query.hpp"
#include "aio/http/server/router.hpp"
#include "aio/net/socket_address.hpp"
#include "aio/task/coro.hpp"

namespace aio::http {

class application;
class request;

namespace detail {
class http_connection;
}  // namespace detail

/// A decoded form (`request::post()`): urlencoded fields, or the parts of a multipart body.
struct form {
  /// Text fields in order (multipart parts without a filename are here too).
  query_params fields;
  /// Multipart parts with a filename (uploaded files).
  std::vector<multipart_part> files;
  /// The first value of field `name`, if any.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept {
    for (const auto& [k, v] : fields) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
};

/// The streaming view of a request body (aiohttp's `request.content`).
class body_reader {
 public:
  /// The next piece of the (de-chunked) body, at most `max` bytes; "" at the end of the body.
  /// @par Errors
  /// `http_error(413)` past `client_max_size`, `http_error(400)` for malformed chunked framing or a
  /// body cut short by the client.
  coro<std::string> read_chunk(std::size_t max = 65536);
  /// True once the whole body was read.
  [[nodiscard]] bool at_eof() const noexcept;

 private:
  friend class request;
  explicit body_reader(request* r) noexcept : m_req(r) {}
  request* m_req;
};

/// An HTTP request. Handlers receive it by reference; it lives until the handler's response is sent.
///
/// Strings it returns are views valid for that time. The body is read lazily: `read()`, `text()`,
/// `json()`, `post()` or `content().read_chunk()`; whatever the handler leaves unread is discarded
/// before the next request on the connection. `Expect: 100-continue` is answered when the body is
/// first read. A gzip or deflate `Content-Encoding` is decoded by `read()` and its callers (not by
/// `read_chunk()`), under the same size limit.
///
/// @par Errors
/// Body reads throw `http_error` (413 over `client_max_size`, 400 for malformed framing or
/// encoding); if the handler lets it escape, the client gets that status and the connection closes.
class request {
 public:
  request(const request&) = delete;
  request& operator=(const request&) = delete;
  ~request() = default;

  /// "GET", "POST" ...
  [[nodiscard]] std::string_view method() const noexcept { return m_head->method; }
  /// The path, percent-decoded ("/a b" for "/a%20b").
  [[nodiscard]] std::string_view path() const noexcept { return m_path; }
  /// The path as sent (percent-encoded).
  [[nodiscard]] std::string_view raw_path() const noexcept { return m_raw_path; }
  /// The request-target as sent ("/path?query").
  [[nodiscard]] std::string_view target() const noexcept { return m_head->target; }
  /// The query string without '?' ("" if none).
  [[nodiscard]] std::string_view query_string() const noexcept { return m_query_string; }
  /// The query string decoded into pairs (parsed on first use).
  [[nodiscard]] const query_params& query() const;
  /// The first value of query parameter `name`.
  [[nodiscard]] std::optional<std::string_view> query(std::string_view name) const;
  [[nodiscard]] const aio::http::headers& headers() const noexcept { return m_head->headers; }
  [[nodiscard]] http_version version() const noexcept { return m_head->version; }
  /// True when the client allows another request on the connection after this one.
  [[nodiscard]] bool keep_alive() const noexcept { return m_head->keep_alive; }
  /// The Content-Length, if the request has one.
  [[nodiscard]] std::optional<std::uint64_t> content_length() const noexcept {
    return m_head->framing.content_length;
  }
  /// True when a body follows the head (Content-Length > 0 or chunked).
  [[nodiscard]] bool has_body() const noexcept {
    return m_head->framing.chunked || m_head->framing.content_length.value_or(0) > 0;
  }
  /// The Content-Type's media type ("" if none).
  [[nodiscard]] std::string_view content_type() const noexcept;

  /// The path parameter `name` of the matched route (decoded).
  /// @par Errors `std::out_of_range` if the route has no such parameter.
  [[nodiscard]] std::string_view match_info(std::string_view name) const;
  /// Every path parameter of the matched route.
  [[nodiscard]] const match_params& match_info() const noexcept { return m_params; }

  /// The client's address (IP and port).
  [[nodiscard]] socket_address peername() const;
  /// The client's IP address as text ("127.0.0.1").
  [[nodiscard]] std::string remote() const;
  /// The application serving this request.
  [[nodiscard]] application& app() const noexcept { return *m_app; }

  /// The whole body (decoded from gzip/deflate when the request says so).
  coro<std::string> read();
  /// The body as text (as `read()`; the charset is not converted).
  coro<std::string> text() { return read(); }
  /// The body parsed as JSON. @par Errors `http_error(400)` for invalid JSON.
  /// (A template for g++ 12: docs/design/compilers.md, Bug 4.)
  template <class Json = nlohmann::json>
  coro<Json> json() {
    return parse_json<Json>(read());
  }
  /// The body as a form: `application/x-www-form-urlencoded` or `multipart/form-data`; an empty
  /// form for other content types. @par Errors `http_error(400)` for a malformed multipart body.
  coro<form> post();
  /// The body as a stream.
  [[nodiscard]] body_reader content() noexcept { return body_reader(this); }
  /// True once the whole body was read (or there is none).
  [[nodiscard]] bool body_complete() const noexcept;

  /// The connection carrying this request (for `stream_response` and `websocket_response`).
  [[nodiscard]] detail::http_connection& connection() const noexcept { return *m_conn; }

 private:
  template <class Json>
  static coro<Json> parse_json(coro<std::string> body) {
    Json j = Json::parse(co_await std::move(body), nullptr, false);
    if (j.is_discarded()) throw_bad_json();
    co_return j;
  }
  [[noreturn]] static void throw_bad_json();

  friend class detail::http_connection;
  friend class application;
  friend class next_handler;
  request() = default;
  void reset(detail::http_connection* conn, application* app, request_head* head);

  detail::http_connection* m_conn = nullptr;
  application* m_app = nullptr;
  request_head* m_head = nullptr;
  std::string_view m_raw_path;
  std::string_view m_path;
  std::string m_decoded_path;  // used when the raw path has '%'
  std::string_view m_query_string;
  mutable std::optional<query_params> m_query;
  match_params m_params;
  int m_route_status = 404;           // the router's verdict when no handler matched (404 / 405)
  std::string m_allow;                // for 405
  std::optional<std::string> m_body;  // read() keeps the body for later calls
};

}  // namespace aio::http
