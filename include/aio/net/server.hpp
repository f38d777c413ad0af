#pragma once
/// @file server.hpp
/// `aio::start_server` / `aio::start_unix_server` and `aio::server` (asyncio's Server).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/detail/gcc12_capture_check.hpp"
#include "aio/net/socket_address.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/optional_arg.hpp"
#include "aio/task/coro.hpp"
#include "aio/tls/ssl_context.hpp"

namespace aio {

/// Options of `start_server` (asyncio's keyword arguments).
struct server_options {
  int backlog = 100;
  bool reuse_address = true;
  bool reuse_port = false;  ///< SO_REUSEPORT: several loops (threads, processes) share the port
  optional_arg<ssl_context> ssl{};
  std::size_t limit = detail::stream_transport::k_default_limit;
  std::chrono::duration<double> ssl_handshake_timeout = std::chrono::seconds(60);
  bool start_serving = true;
  /// After EMFILE/ENFILE on accept, wait this long before accepting again (no busy loop).
  std::chrono::duration<double> accept_retry_delay = std::chrono::milliseconds(100);
};

/// The connection callback: a task runs it for every accepted connection.
using client_connected_cb = std::function<coro<>(stream_reader, stream_writer)>;

/// A listening server. Move-only; destroying it closes it (as `close()`).
///
/// @par Cancellation
/// Cancelling `serve_forever()` closes the server (as asyncio). Connection tasks are independent: they
/// are not cancelled by `close()`; `close_clients()` closes their streams.
/// @par Errors
/// A callback that throws is reported to the loop's exception handler and its connection is closed.
/// EMFILE/ENFILE on accept is reported once, then the server retries after `accept_retry_delay` and
/// serves again when descriptors free up.
class server {
 public:
  struct state;
  server() = default;
  explicit server(std::shared_ptr<state> s) noexcept : m_state(std::move(s)) {}
  server(server&&) noexcept = default;
  server& operator=(server&&) noexcept;
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  ~server();

  /// The bound port of the first listening socket (useful with port 0).
  [[nodiscard]] std::uint16_t port() const;
  /// The listening addresses.
  [[nodiscard]] std::vector<socket_address> sockets() const;
  [[nodiscard]] bool is_serving() const noexcept;
  /// Starts accepting (when created with `start_serving = false`).
  void start_serving();
  /// Serves until the server is closed; cancelling it closes the server.
  coro<> serve_forever();
  /// Stops listening (closes the listening sockets). Open connections stay open.
  void close();
  /// Closes every open connection gracefully (after flushing) / at once.
  void close_clients();
  void abort_clients();
  /// Waits until the server is closed and every connection task has finished (asyncio 3.12+).
  coro<> wait_closed();
  /// Connections currently open.
  [[nodiscard]] std::size_t connection_count() const noexcept;

 private:
  std::shared_ptr<state> m_state;
};

/// Listens on `host:port` and runs `cb(reader, writer)` in a new task per connection.
/// `host` "" listens on every interface (IPv4 and IPv6); port 0 picks a free port (`server.port()`).
/// @par Errors `std::system_error` naming the address ("aio: cannot listen on 0.0.0.0:80: ...").
coro<server> start_server(client_connected_cb cb, std::string host, std::uint16_t port,
                          server_options opts = {});
/// Listens on several hosts with the same port (port 0: the first socket's port for all).
coro<server> start_server(client_connected_cb cb, std::vector<std::string> hosts, std::uint16_t port,
                          server_options opts = {});
/// Listens on the Unix-domain socket `path` (a stale socket file is replaced; removed on close).
coro<server> start_unix_server(client_connected_cb cb, std::string path, server_options opts = {});

/// `start_server` with a callable other than a `client_connected_cb` (a lambda, a function): checked
/// for the g++ 12 capture bug of docs/design/compilers.md, then converted.
template <class F>
requires(!std::is_same_v<std::remove_cvref_t<F>, client_connected_cb> &&
         std::is_constructible_v<client_connected_cb, F&&>)
    coro<server> start_server(F&& cb, std::string host, std::uint16_t port, server_options opts = {}) {
  static_assert(!detail::gcc12_unsafe_closure<F>(), AIO_GCC12_CAPTURE_MESSAGE);
  return start_server(client_connected_cb(std::forward<F>(cb)), std::move(host), port, std::move(opts));
}

}  // namespace aio
