// The example of docs/guide/http_server.md, verbatim between the markers, served in-process.

#include <gtest/gtest.h>

#include "server_test_util.hpp"

// ---- docs/guide/http_server.md example begins ----
#include <aio/aio.hpp>

using aio::http::request;
using aio::http::response;

aio::coro<response> hello(request& req) {
  const std::string name(req.query("name").value_or("World"));
  co_return aio::http::text_response("Hello, " + name + "!");
}

aio::coro<response> get_user(request& req) {
  co_return aio::http::json_response({{"id", req.match_info("id")}});
}

aio::coro<response> create_user(request& req) {
  nlohmann::json user = co_await req.json();
  if (!user.contains("name")) throw aio::http::http_error(422, "a user needs a name");
  user["id"] = 42;
  co_return aio::http::json_response(user, 201);
}

aio::coro<response> ticks(request& req) {
  aio::http::stream_response resp;
  resp.set_content_type("text/plain");
  co_await resp.prepare(req);
  for (int i = 0; i < 3; ++i) co_await resp.write("tick " + std::to_string(i) + "\n");
  co_await resp.write_eof();
  co_return resp;
}

aio::coro<response> echo_ws(request& req) {
  aio::http::websocket_response ws;
  co_await ws.prepare(req);
  while (auto msg = co_await ws.next()) {
    if (msg->type == aio::http::ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
  }
  co_return ws;
}

// A middleware: runs around every handler (and around 404/405 answers).
aio::coro<response> server_header(request& req, aio::http::next_handler next) {
  response resp = co_await next(req);
  resp.headers().set("X-Powered-By", "aio");
  co_return resp;
}

aio::http::application make_app() {
  aio::http::application app;
  app.add_middleware(server_header);
  app.router().add_get("/", hello);
  app.router().add_get("/users/{id}", get_user);
  app.router().add_post("/users", create_user);
  app.router().add_get("/ticks", ticks);
  app.router().add_get("/ws", echo_ws);
  app.router().add_get("/static/{path:.*}", [](request& req) -> aio::coro<response> {
    co_return aio::http::file_response("/srv/www/" + std::string(req.match_info("path")));
  });
  return app;
}
// ---- docs/guide/http_server.md example ends ----

namespace {

using server_test::raw_client;

TEST(HttpServerGuide, ExampleWorks) {
  auto app = make_app();
  aio_test::run(
      [](aio::http::application& app) -> aio::coro<> {
        aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET /?name=Ada HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.body, "Hello, Ada!");
        EXPECT_EQ(r.headers.get("X-Powered-By", ""), "aio");
        auto u = co_await c.request("GET /users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(u.body, "{\"id\":\"7\"}");
        auto p = co_await c.request(
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n\r\n{\"name\":\"Ada\"}");
        EXPECT_EQ(p.status, 201);
        EXPECT_EQ(nlohmann::json::parse(p.body)["id"], 42);
        auto bad = co_await c.request("POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        EXPECT_EQ(bad.status, 422);
        auto t = co_await c.request("GET /ticks HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(t.body, "tick 0\ntick 1\ntick 2\n");
        auto missing = co_await c.request("GET /static/nope.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(missing.status, 404);
        EXPECT_EQ(missing.headers.get("X-Powered-By", ""), "aio");
        c.close();
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
}

}  // namespace
