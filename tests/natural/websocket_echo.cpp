// aiohttp docs, "WebSockets": a server handler that echoes, and a client using ws_connect.
//
//     async for msg in ws:
//         if msg.type == aiohttp.WSMsgType.TEXT: await ws.send_str(msg.data + '/answer')  # JSON: echoed with
//         "seen"
//     async with session.ws_connect(url) as ws:
//         await ws.send_str('hello'); print(await ws.receive_str())
//         await ws.send_json({'n': 1}); print(await ws.receive_json())
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <stdexcept>
#include <string>

using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_get("/ws", [](request& req) -> aio::coro<response> {
    aio::http::websocket_response ws;
    co_await ws.prepare(req);
    while (auto msg = co_await ws.next()) {
      if (msg->type != aio::http::ws_msg_type::text) continue;
      if (msg->data.starts_with("{")) {
        nlohmann::json doc = nlohmann::json::parse(msg->data);
        doc["seen"] = true;
        co_await ws.send_json(doc);
      } else {
        co_await ws.send_str(msg->data + "/answer");
      }
    }
    co_return std::move(ws);
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string url = "ws://127.0.0.1:" + std::to_string(srv.port()) + "/ws";

  aio::http::client_session session;
  auto ws = co_await session.ws_connect(url);
  co_await ws.send_str("hello");
  if (co_await ws.receive_str() != "hello/answer") throw std::runtime_error("wrong text echo");
  co_await ws.send_json({{"n", 1}, {"tags", {"a", "b"}}});
  nlohmann::json back = co_await ws.receive_json();
  if (back["n"] != 1 || back["tags"][1] != "b" || back["seen"] != true) {
    throw std::runtime_error("wrong json echo: " + back.dump());
  }
  co_await ws.close();
  if (ws.close_code().value_or(0) != 1000) throw std::runtime_error("not a normal close");
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
