#pragma once
/// @file client_session.hpp
/// `aio::http::client_session`: an HTTP/1.1 client with a connection pool (aiohttp's
/// `ClientSession`).

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aio/http/client/client_errors.hpp"
#include "aio/http/client/client_response.hpp"
#include "aio/http/client/client_timeout.hpp"
#include "aio/http/client/cookie_jar.hpp"
#include "aio/http/client/request_options.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/url.hpp"
#include "aio/http/websocket/websocket_connection.hpp"
#include "aio/http/websocket/websocket_options.hpp"
#include "aio/optional_arg.hpp"
#include "aio/task/coro.hpp"
#include "aio/tls/ssl_context.hpp"

namespace aio::http {

namespace detail {
struct session_state;
}  // namespace detail

/// Options of a `client_session` (aiohttp's `ClientSession(...)` and `TCPConnector(...)` arguments).
struct client_session_options {
  /// Default time limits of every request.
  client_timeout timeout{};
  /// Connections in use at once, all hosts together (0: no limit).
  std::size_t limit = 100;
  /// Connections in use at once to one (scheme, host, port) (0: no limit).
  std::size_t limit_per_host = 0;
  /// Headers sent with every request (a request's own headers of the same name replace them).
  http::headers headers{};
  /// Credentials sent with every request (copied).
  std::optional<basic_auth> auth{};
  /// TLS settings for https and wss (default: `ssl_context::client()`, which verifies).
  optional_arg<ssl_context> ssl{};
  /// An idle pooled connection is closed after this long (aiohttp's `keepalive_timeout`).
  std::chrono::duration<double> keepalive_timeout = std::chrono::seconds(15);
  /// Resolved addresses are reused for this long (0: resolve every time; aiohttp's `ttl_dns_cache`).
  std::chrono::duration<double> dns_cache_ttl = std::chrono::seconds(10);
  /// Call `raise_for_status()` on every final response.
  bool raise_for_status = false;
  /// Let the cookie jar accept cookies from IP-address hosts and send them back (aiohttp's
  /// `CookieJar(unsafe=True)`); by default, as aiohttp, it refuses them.
  bool unsafe_cookies = false;
  /// Send `Accept-Encoding: gzip, deflate` and decode gzip/deflate bodies.
  bool auto_decompress = true;
  /// The most bytes a gzip/deflate body may decode to (aiohttp's 32 MiB); past it, reading the body
  /// throws `client_payload_error` and closes the connection, so a "zip bomb" (1 MB that inflates
  /// to 1 GiB) costs at most this much memory. 0: no limit. A request can set its own
  /// (`request_options::max_decompress_size`). Bodies sent without a Content-Encoding are not limited.
  std::size_t max_decompress_size = std::size_t{32} * 1024 * 1024;
  /// The most interim (1xx) responses accepted before the final one (`100 Continue`,
  /// `103 Early Hints`, ...); one more throws `bad_response_error`. A server that sends
  /// `102 Processing` every few seconds through a long operation (WebDAV) may need more.
  std::size_t max_interim_responses = 16;
  /// The `User-Agent` header (copied; "" sends none).
  std::string_view user_agent = "aio-http";
  /// Response head limits: a status line or one header line (8190), the whole head (64 KiB).
  std::size_t max_line_size = 8190;
  std::size_t max_field_size = 8190;
  std::size_t max_headers_size = 65536;
};

/// Options of `client_session::ws_connect`.
struct ws_connect_options {
  /// Subprotocols to offer, in preference order (`Sec-WebSocket-Protocol`); a view, read at the call.
  std::span<const std::string> protocols{};
  /// Extra headers of the upgrade request.
  field_list headers{};
  /// The connection's behaviour (autoping, heartbeat, max_msg_size, ...).
  websocket_options ws{};
  /// Time limits of the handshake (default: the session's).
  std::optional<client_timeout> timeout{};
  std::optional<basic_auth> auth{};
};

/// An HTTP/1.1 client session: default headers, a cookie jar, and a pool of keep-alive connections per
/// (scheme, host, port). Make one per application and reuse it; `co_await close()` when done.
///
/// Each request takes a pooled connection (or opens one when none is idle and the limits allow; else
/// it waits for one), sends the request, reads the response head and returns. The connection goes back
/// to the pool when the body has been read to its end (or at once for a body-less or small
/// already-received response); a response dropped or cancelled half-read closes its connection.
///
/// @par Cancellation
/// Cancelling a request closes its connection; the pool never keeps a connection in an unknown state.
/// @par Errors
/// `client_connector_error` (DNS, refused, TLS), `client_timeout_error`, `server_disconnected_error`,
/// `bad_response_error`, `client_payload_error`, `too_many_redirects`, `client_response_error`
/// (`raise_for_status`), `aio::http::invalid_url`; `std::invalid_argument` for contradictory options;
/// `std::runtime_error` after `close()`.
/// @par Thread safety
/// One event loop at a time.
/// @par Lifetime
/// `co_await close()` before the loop ends. A session destroyed after its loop closed (never closed,
/// still holding idle keep-alive connections) does not touch the dead loop: it closes the idle sockets'
/// descriptors directly and leaves their small bookkeeping objects allocated (deliberately reachable,
/// not freed: freeing them would call into the loop).
/// @par Example
/// @code
/// aio::http::client_session session;
/// auto resp = co_await session.get("http://127.0.0.1:8080/");
/// std::string body = co_await resp.text();
/// co_await session.close();
/// @endcode
class client_session {
 public:
  client_session() : client_session(client_session_options{}) {}
  explicit client_session(const client_session_options& opts);
  client_session(client_session&& o) noexcept;
  client_session& operator=(client_session&& o) noexcept;
  client_session(const client_session&) = delete;
  client_session& operator=(const client_session&) = delete;
  /// Closes idle connections at once (prefer `co_await close()`).
  ~client_session();

  /// Sends a request. `method` is upper-case ("GET").
  coro<client_response> request(std::string_view method, std::string_view url, const request_options& opts);
  // Each call without options has its own overload, not a defaulted `opts = {}`: a defaulted argument is
  // a temporary that lives across the caller's `co_await`, which put a ~1.9 kB request_options into every
  // calling coroutine's frame (docs/design/tasks.md, "Frame sizes").
  coro<client_response> request(std::string_view method, std::string_view url);
  coro<client_response> get(std::string_view url, const request_options& opts) {
    return request("GET", url, opts);
  }
  coro<client_response> get(std::string_view url) { return request("GET", url); }
  coro<client_response> post(std::string_view url, const request_options& opts) {
    return request("POST", url, opts);
  }
  coro<client_response> post(std::string_view url) { return request("POST", url); }
  coro<client_response> put(std::string_view url, const request_options& opts) {
    return request("PUT", url, opts);
  }
  coro<client_response> put(std::string_view url) { return request("PUT", url); }
  coro<client_response> patch(std::string_view url, const request_options& opts) {
    return request("PATCH", url, opts);
  }
  coro<client_response> patch(std::string_view url) { return request("PATCH", url); }
  // NOLINTNEXTLINE(readability-identifier-naming): `delete` is a keyword; API.md names it delete_
  coro<client_response> delete_(std::string_view url, const request_options& opts) {
    return request("DELETE", url, opts);
  }
  // NOLINTNEXTLINE(readability-identifier-naming)
  coro<client_response> delete_(std::string_view url) { return request("DELETE", url); }
  coro<client_response> head(std::string_view url, const request_options& opts) {
    return request("HEAD", url, opts);
  }
  coro<client_response> head(std::string_view url) { return request("HEAD", url); }
  coro<client_response> options(std::string_view url, const request_options& opts) {
    return request("OPTIONS", url, opts);
  }
  coro<client_response> options(std::string_view url) { return request("OPTIONS", url); }

  /// Opens a WebSocket (ws:// or wss://, also http(s)://) on a new, unpooled connection.
  /// @par Errors
  /// As `request`; `ws_handshake_error` when the server refuses the upgrade or answers it wrongly.
  coro<websocket_connection> ws_connect(std::string_view url, const ws_connect_options& opts);
  coro<websocket_connection> ws_connect(std::string_view url);  // no defaulted options: see request

  /// Closes every idle connection and refuses new requests; connections still in use close when
  /// their responses are released.
  coro<> close();
  [[nodiscard]] bool closed() const noexcept;
  /// The session's cookies.
  [[nodiscard]] http::cookie_jar& cookie_jar() noexcept;
  /// Connections open in the pool and idle (for tests and monitoring).
  [[nodiscard]] std::size_t idle_connections() const noexcept;
  /// Connections currently lent to requests or unread responses.
  [[nodiscard]] std::size_t active_connections() const noexcept;

 private:
  detail::session_state* m_state;
};

/// The server refused or botched a WebSocket upgrade (aiohttp's `WSServerHandshakeError`):
/// `status()` is the response status, `what()` the reason.
class ws_handshake_error : public client_response_error {
 public:
  using client_response_error::client_response_error;
};

}  // namespace aio::http
