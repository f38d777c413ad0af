// docs/guide/websockets.md: the guide's server, client and compression blocks, run together over
// loopback (aio_test::run checks that nothing leaked). The client block names port 8080, so these
// tests serve there (they hold the port_8080 resource lock, and skip when something else has it).

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <cstdint>
#include <string>
#include <utility>

#include "test_support.hpp"

namespace {

using aio::http::request;
using aio::http::response;

using aio_test::k_real;

// ---- Server: websocket_response
aio::coro<aio::http::response> echo_ws(aio::http::request& req) {
  aio::http::websocket_response ws;
  co_await ws.prepare(req);                // the 101 answer; the connection is a WebSocket now
  while (auto msg = co_await ws.next()) {  // `async for msg in ws`: stops at the peer's close
    if (msg->type == aio::http::ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
    if (msg->type == aio::http::ws_msg_type::binary) co_await ws.send_bytes(msg->data);
  }
  co_return std::move(ws);  // as aiohttp's `return ws`
}

void add_echo_route(aio::http::application& app) {
  // clang-format off
app.router().add_get("/ws", echo_ws);
  // clang-format on
}

/// Serves `app` on 127.0.0.1:`port` while `body` runs.
template <class Body>
aio::coro<> serving(aio::http::application& app, std::uint16_t port, Body body) {
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = port});
  std::exception_ptr failure;
  try {
    co_await body(srv.port());
  } catch (...) {
    failure = std::current_exception();
  }
  co_await srv.shutdown();
  if (failure) std::rethrow_exception(failure);
}

// ---- Client: session.ws_connect
std::string reply_seen;
std::uint16_t code_seen = 0;

aio::coro<> client_block(std::uint16_t /*port: the block's URL says 8080*/) {
  aio::http::client_session session;
  aio::http::websocket_connection ws = co_await session.ws_connect("ws://127.0.0.1:8080/ws");
  co_await ws.send_str("hello");
  std::string reply = co_await ws.receive_str();  // "echo: hello"
  co_await ws.send_json({{"n", 1}});
  co_await ws.close();                               // sends 1000, waits for the server's close
  std::uint16_t code = ws.close_code().value_or(0);  // 1000
  co_await session.close();
  reply_seen = reply;
  code_seen = code;
}

bool port_8080_free() {
  return aio_test::run([]() -> aio::coro<bool> {
    std::exception_ptr failure;
    try {
      aio::server probe = co_await aio::start_server(
          [](aio::stream_reader, aio::stream_writer) -> aio::coro<> { co_return; }, "127.0.0.1", 8080);
      probe.close();
      co_await probe.wait_closed();
      co_return true;
    } catch (const std::system_error&) {
      failure = std::current_exception();
    }
    co_return false;
  }());
}

TEST(DocWebsockets, EchoServerAndClient) {
  if (!port_8080_free()) GTEST_SKIP() << "port 8080 is taken";
  aio::http::application app;
  add_echo_route(app);
  aio_test::run(serving(app, 8080, client_block), k_real);
  EXPECT_EQ(reply_seen, "echo: hello");
  EXPECT_EQ(code_seen, 1000);
}

// ---- Compression (permessage-deflate)
bool accepted = false;
bool server_deflates = false;

aio::coro<std::string> compress_client(aio::http::client_session& session, const std::string& url) {
  // offer permessage-deflate; client_max_window_bits
  auto ws = co_await session.ws_connect(url, {.ws = {.compress = true}});
  if (ws.deflate()) {
    // the server accepted: messages are compressed both ways
  }
  accepted = ws.deflate().has_value();
  co_await ws.send_str(std::string(100000, 'z'));
  std::string echo = co_await ws.receive_str();
  co_await ws.close();
  co_return echo;
}

aio::coro<response> compressed_echo(request& req) {
  aio::http::websocket_response server_side({.compress = true});  // accept a client's offer
  co_await server_side.prepare(req);
  server_deflates = server_side.connection().deflate().has_value();
  while (auto msg = co_await server_side.next()) co_await server_side.send_str(msg->data);
  co_return std::move(server_side);
}

aio::coro<std::string> compression_main(bool server_accepts) {
  aio::http::application app;
  app.router().add_get("/deflate", compressed_echo);
  app.router().add_get("/plain", echo_ws);
  std::string echo;
  co_await serving(app, 0, [&](std::uint16_t port) -> aio::coro<> {
    aio::http::client_session session;
    const std::string url =
        "ws://127.0.0.1:" + std::to_string(port) + (server_accepts ? "/deflate" : "/plain");
    echo = co_await compress_client(session, url);
    co_await session.close();
  });
  co_return echo;
}

TEST(DocWebsockets, CompressionNegotiated) {
  EXPECT_EQ(aio_test::run(compression_main(true), k_real), std::string(100000, 'z'));
  EXPECT_TRUE(accepted);
  EXPECT_TRUE(server_deflates);
}

TEST(DocWebsockets, CompressionDeclinedByAPlainServer) {
  EXPECT_EQ(aio_test::run(compression_main(false), k_real), "echo: " + std::string(100000, 'z'));
  EXPECT_FALSE(accepted);
}

}  // namespace
