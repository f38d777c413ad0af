// docs/guide/http_server.md: the guide's whole program, an application served by run_app on port
// 8080 until SIGINT or SIGTERM. run_server_program.py runs it and checks every route over real HTTP.

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
  // The files under ./www at /static/... (never build the path yourself: see "Static files").
  app.router().add_static("/static", "www", {.show_index = false, .follow_symlinks = false});
  return app;
}

int main() {
  aio::http::application app = make_app();
  aio::run(aio::http::run_app(app, {.host = "0.0.0.0", .port = 8080}));
}
