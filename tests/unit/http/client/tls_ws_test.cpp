// https with a test CA made at run time (verification on), and ws_connect against a raw handshake
// server using aio's websocket_connection on the server side.

#include <gtest/gtest.h>

#include <string>

#include "../../tls/test_certs.hpp"
#include "aio/aio.hpp"
#include "aio/http/client.hpp"
#include "client_test_server.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace http = aio::http;
using client_test::action;
using client_test::raw_request;
using client_test::response;

namespace {

using aio_test::k_real;

TEST(client_tls, https_with_a_trusted_ca) {
  const auto& certs = aio_test::certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server_options so;
        so.ssl = aio::ssl_context::server(c->server_cert, c->server_key);
        auto srv = co_await client_test::start(
            [](const raw_request&) { return action{response(200, "secret")}; }, so);
        const std::string url = "https://localhost:" + std::to_string(srv.srv.port()) + "/";
        {
          http::client_session untrusting;  // the system store does not know the test CA
          bool refused = false;
          try {
            co_await untrusting.get(url);
          } catch (const http::client_connector_error& e) {
            refused = e.code() == aio::tls_errc::certificate_verify_failed;
          }
          EXPECT_TRUE(refused);
          co_await untrusting.close();
        }
        auto ctx = aio::ssl_context::client();
        ctx.load_verify_locations(c->ca);
        http::client_session_options opts;
        opts.ssl = ctx;
        http::client_session session(opts);
        for (int i = 0; i < 2; ++i) {
          auto resp = co_await session.get(url);
          EXPECT_EQ(co_await resp.text(), "secret");
        }
        EXPECT_EQ(srv.stats->connections, 1);
        co_await session.close();
        co_await srv.stop();
      }(&certs),
      k_real);
}

/// A WebSocket echo server: answers the upgrade by hand, then echoes with websocket_connection.
aio::coro<> ws_echo(aio::stream_reader r, aio::stream_writer w) {
  const std::string head = co_await r.readuntil("\r\n\r\n");
  const std::size_t at = head.find("Sec-WebSocket-Key: ");
  const std::string key = head.substr(at + 19, head.find("\r\n", at) - at - 19);
  const bool has_proto = head.find("Sec-WebSocket-Protocol: chat") != std::string::npos;
  w.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
      "Upgrade\r\nSec-WebSocket-Accept: " +
      http::ws_accept_key(key) + "\r\n" + (has_proto ? "Sec-WebSocket-Protocol: chat\r\n" : "") + "\r\n");
  http::websocket_connection ws(r, w, http::ws_role::server);
  while (auto msg = co_await ws.next()) {
    if (msg->type == http::ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
  }
}

TEST(client_ws, ws_connect_echo) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::client_connected_cb cb = [](aio::stream_reader r, aio::stream_writer w) {
          return ws_echo(std::move(r), std::move(w));
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        http::client_session session;
        const std::vector<std::string> protocols{"chat"};
        http::ws_connect_options wo;
        wo.protocols = protocols;
        auto ws = co_await session.ws_connect("ws://127.0.0.1:" + std::to_string(srv.port()) + "/ws", wo);
        co_await ws.send_str("hi");
        auto msg = co_await ws.receive();
        EXPECT_EQ(msg.data, "echo: hi");
        co_await ws.close();
        co_await session.close();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(client_ws, a_refused_upgrade_is_a_handshake_error) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start(
            [](const raw_request&) { return action{response(403, "no", "", "Forbidden")}; });
        http::client_session session;
        int status = 0;
        try {
          co_await session.ws_connect("ws://127.0.0.1:" + std::to_string(srv.srv.port()) + "/");
        } catch (const http::ws_handshake_error& e) {
          status = e.status();
        }
        EXPECT_EQ(status, 403);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

}  // namespace
