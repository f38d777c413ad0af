#pragma once
/// @file websocket_response.hpp
/// `aio::http::websocket_response`: the server side of a WebSocket (aiohttp's `web.WebSocketResponse`).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/http/server/response.hpp"
#include "aio/http/websocket/websocket_connection.hpp"
#include "aio/http/websocket/websocket_options.hpp"
#include "aio/http/websocket/ws_close_code.hpp"
#include "aio/http/websocket/ws_message.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/task/coro.hpp"

namespace aio::http {

class request;

/// Upgrades a request to a WebSocket: `co_await ws.prepare(req)` checks the handshake (RFC 6455
/// 4.2.1), answers 101, and hands the connection to a `websocket_connection`; the handler then
/// talks with `receive()` / `send_str()` ... and returns the object (`co_return ws;`). The HTTP
/// connection is not used for HTTP again.
///
/// @par Errors
/// `prepare` throws `http_error` for a request that is not a valid upgrade (400; 405 for a method
/// other than GET; 426 with `Sec-WebSocket-Version: 13` for another version), so the client gets
/// that status if the handler lets it escape. The other members throw `std::logic_error` before
/// `prepare`, and otherwise as `websocket_connection`.
/// @par Example
/// @code
/// app.router().add_get("/ws", [](aio::http::request& req) -> aio::coro<aio::http::response> {
///   aio::http::websocket_response ws;
///   co_await ws.prepare(req);
///   while (auto msg = co_await ws.next()) {
///     if (msg->type == aio::http::ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
///   }
///   co_return ws;
/// });
/// @endcode
class websocket_response {
 public:
  /// `protocols`: the subprotocols this server speaks, in its order of preference; the first one
  /// the client also offers is chosen.
  explicit websocket_response(websocket_options opts = {}, std::vector<std::string> protocols = {})
      : m_opts(opts), m_protocols(std::move(protocols)) {}

  /// True when `req` is a valid WebSocket upgrade request (`prepare` would succeed).
  [[nodiscard]] static bool can_prepare(const request& req);
  /// Performs the handshake. @par Errors See the class.
  coro<> prepare(request& req);
  [[nodiscard]] bool prepared() const noexcept { return m_ws.has_value(); }
  /// The chosen subprotocol ("" for none).
  [[nodiscard]] const std::string& protocol() const noexcept { return m_protocol; }
  /// The underlying connection (after `prepare`).
  [[nodiscard]] websocket_connection& connection();

  coro<ws_message> receive() { return connection().receive(); }
  coro<std::optional<ws_message>> next() { return connection().next(); }
  coro<std::string> receive_str() { return connection().receive_str(); }
  coro<std::string> receive_bytes() { return connection().receive_bytes(); }
  coro<> send_str(std::string_view data) { return connection().send_str(data); }
  coro<> send_bytes(std::string_view data) { return connection().send_bytes(data); }
  coro<> send_json(const json_ref& value) { return connection().send_json(value); }
  coro<> ping(std::string_view payload = {}) { return connection().ping(payload); }
  coro<> pong(std::string_view payload = {}) { return connection().pong(payload); }
  coro<bool> close(std::uint16_t code = ws_close_code::normal, std::string_view message = {}) {
    return connection().close(code, message);
  }
  [[nodiscard]] bool closed() const noexcept { return !m_ws || m_ws->closed(); }
  [[nodiscard]] std::optional<std::uint16_t> close_code() const noexcept {
    return m_ws ? m_ws->close_code() : std::nullopt;
  }
  /// What the handler returns (the 101 was sent by `prepare`).
  operator response() const { return response::already_sent(); }  // NOLINT(google-explicit-constructor)

 private:
  void handshake(request& req);

  websocket_options m_opts;
  std::vector<std::string> m_protocols;
  std::string m_protocol;
  std::optional<websocket_connection> m_ws;
  stream_writer m_writer;  // for prepare()'s drain
};

}  // namespace aio::http
