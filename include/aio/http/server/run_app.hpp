#pragma once
/// @file run_app.hpp
/// Serving an application: `run_app` (until SIGINT/SIGTERM, aiohttp's `web.run_app`) and `serve`
/// (in-process, stopped by the caller: tests, embedding; aiohttp's `AppRunner` + `TCPSite`).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "aio/http/server/application.hpp"
#include "aio/task/coro.hpp"
#include "aio/tls/ssl_context.hpp"

namespace aio::http {

/// Where and how to serve. An aggregate for designated initializers; `host` is a view, copied at
/// the call.
struct serve_options {
  std::string_view host = "0.0.0.0";  ///< "" or "0.0.0.0": every IPv4 interface; "::" IPv6
  std::uint16_t port = 8080;          ///< 0 picks a free port (`app_server::port()`)
  /// Event loops (threads) serving, each with its own listening socket (SO_REUSEPORT). `run_app` only.
  unsigned workers = 1;
  /// After SIGINT/SIGTERM or `shutdown()`: how long in-flight requests may run before they are
  /// cancelled (aiohttp's default, 60 s).
  std::chrono::duration<double> shutdown_timeout = std::chrono::seconds(60);
  /// An idle keep-alive connection is closed after this long (aiohttp's 75 s).
  std::chrono::duration<double> keepalive_timeout = std::chrono::seconds(75);
  /// A request head must arrive whole within this long of its first byte (slowloris); the client
  /// then gets 408 and the connection closes.
  std::chrono::duration<double> request_header_timeout = std::chrono::seconds(30);
  /// A request body read may wait this long for the next bytes (nginx's `client_body_timeout`);
  /// on expiry the handler's body read throws `http_error` 408 (the client gets 408 when no response
  /// was sent yet) and the connection closes.
  std::chrono::duration<double> request_body_timeout = std::chrono::seconds(60);
  /// Responses are written one at a time: above the stream's high-water mark (64 KiB) the server
  /// waits for the client to read (asyncio's `drain()`) before it parses a pipelined request or a
  /// streamed response goes on. A client that takes none of that output (nor of a file_response)
  /// for this long is disconnected: nginx's `send_timeout`, the time between two writes, so a slow
  /// but steady reader is served whole.
  std::chrono::duration<double> send_timeout = std::chrono::seconds(60);
  /// The largest request body (aiohttp's `client_max_size`): 413 beyond it.
  std::uint64_t client_max_size = std::uint64_t{1024} * 1024;
  /// The largest request header section (431 beyond it); start line and single fields: 8190 bytes.
  std::size_t max_headers_size = 65536;
  /// Cancel a handler whose client disconnected (noticed within ~1/4 of the shortest timeout,
  /// at most 1 s). aiohttp 3.9+ defaults to false; aio defaults to true: nothing is computed for a
  /// client that is gone.
  bool handler_cancellation = true;
  /// One line per request on stderr (off by default: the hot path stays quiet).
  bool access_log = false;
  /// `run_app` prints "Serving on http://host:port" to stderr.
  bool print = true;
  /// `run_app` stops on SIGINT and SIGTERM (needs the main thread).
  bool handle_signals = true;
  int backlog = 1024;
  bool reuse_port = false;  ///< forced on with workers > 1
  /// TLS: serve HTTPS with this context (not owned; must outlive the server).
  const ssl_context* ssl = nullptr;
};

/// A running in-process server (from `serve`). Move-only; destroying it without `shutdown()` closes
/// the listening socket and aborts the connections.
class app_server {
 public:
  struct state;
  app_server() = default;
  explicit app_server(std::shared_ptr<state> s) noexcept : m_state(std::move(s)) {}
  app_server(app_server&&) noexcept = default;
  app_server& operator=(app_server&&) noexcept = default;
  app_server(const app_server&) = delete;
  app_server& operator=(const app_server&) = delete;
  ~app_server();

  /// The bound port (useful with port 0).
  [[nodiscard]] std::uint16_t port() const;
  /// Connections open now.
  [[nodiscard]] std::size_t connection_count() const noexcept;
  /// Graceful stop: stop accepting, close idle connections, let in-flight requests finish within
  /// `shutdown_timeout` (then cancel them), then run the cleanup hooks.
  coro<> shutdown();

 private:
  std::shared_ptr<state> m_state;
};

namespace detail {
coro<app_server> serve_impl(application& app, serve_options opts, bool run_hooks);
coro<> run_app_impl(application& app, serve_options opts);
}  // namespace detail

/// Runs the startup hooks and starts serving `app` on the running loop; returns at once.
/// @par Errors
/// `std::system_error` if the address cannot be bound; a startup hook's exception.
[[nodiscard]] inline coro<app_server> serve(application& app, serve_options opts = {}) {
  return detail::serve_impl(app, opts, true);
}

/// Serves `app` until SIGINT or SIGTERM, then shuts down gracefully (see `app_server::shutdown`).
/// With `workers = N`, N event loops on N threads serve (this one and N-1 new ones), each with its
/// own SO_REUSEPORT socket; hooks run once, on this loop. Cancelling `run_app` shuts down as a
/// signal does, then rethrows the cancellation.
[[nodiscard]] inline coro<> run_app(application& app, serve_options opts = {}) {
  return detail::run_app_impl(app, opts);
}

}  // namespace aio::http
