// A WebSocket client: connect to an echo endpoint, send text, bytes and JSON, print what comes back,
// then close with the closing handshake.
//
//     async with session.ws_connect('http://127.0.0.1:8080/ws/echo') as ws:
//         for text in ('hello', 'asyncio in C++20', 'ünïcödé ✓'):
//             await ws.send_str(text)
//             print(await ws.receive_str())
//         await ws.send_bytes(bytes([0, 1, 254, 255]))
//         print((await ws.receive_bytes()).hex(' '))
//         await ws.send_json({'n': 1, 'list': [1, 2, 3]})
//         print(await ws.receive_json())
//     print(ws.close_code)
//
// The echo server is the tour's httpbin (httpbin.hpp: `/ws/echo`), served by this program.

#include <aio/aio.hpp>
#include <array>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "httpbin.hpp"

namespace {
std::string hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    char two[4];
    std::snprintf(two, sizeof two, "%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
    out += (out.empty() ? "" : " ") + std::string(two);
  }
  return out;
}
}  // namespace

aio::coro<> websocket_echo_main(std::ostream& out) {
  aio_examples::httpbin httpbin;
  co_await httpbin.start();
  aio::http::client_session session;
  aio::http::websocket_connection ws = co_await session.ws_connect(httpbin.ws_url("/ws/echo"));
  out << "connected to /ws/echo\n";

  constexpr std::array<std::string_view, 3> k_texts = {"hello", "asyncio in C++20", "ünïcödé ✓"};
  for (const std::string_view text : k_texts) {
    co_await ws.send_str(text);
    const std::string echo = co_await ws.receive_str();
    out << "sent '" << text << "', echo '" << echo << "'\n";
  }

  const std::string bytes{'\x00', '\x01', '\xfe', '\xff'};
  co_await ws.send_bytes(bytes);
  const std::string bytes_echo = co_await ws.receive_bytes();
  out << "sent bytes " << hex(bytes) << ", echo " << hex(bytes_echo) << "\n";

  co_await ws.send_json({{"n", 1}, {"list", {1, 2, 3}}});
  const nlohmann::json json_echo = co_await ws.receive_json();
  out << "sent JSON "
      << R"({"list":[1,2,3],"n":1})"
      << ", echo " << json_echo.dump() << "\n";

  co_await ws.close();
  out << "closed, the server answered with code " << ws.close_code().value_or(0) << "\n";
  co_await session.close();
  co_await httpbin.stop();
}

#ifndef AIO_TOUR
int main() { aio::run(websocket_echo_main(std::cout)); }
#endif
