// Two components on their own (<aio/http.hpp>, <aio/pg.hpp>; targets aio::http and aio::pg): an HTTP
// server and a client session on loopback, and a PostgreSQL connect to a port nobody listens on, which
// must fail with aio::pg's connection_error.
#include <aio/http.hpp>
#include <aio/pg.hpp>
#include <iostream>
#include <string>

namespace {
aio::coro<aio::http::response> hello(aio::http::request& req) {
  co_return aio::http::text_response("hello " + std::string(req.match_info("name")));
}

aio::coro<bool> http_round_trip() {
  aio::http::application app;
  app.router().add_get("/hello/{name}", hello);
  auto server = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  aio::http::client_session session;
  auto resp = co_await session.get("http://127.0.0.1:" + std::to_string(server.port()) + "/hello/aio");
  const std::string body = co_await resp.text();
  co_await session.close();
  co_await server.shutdown();
  co_return resp.status() == 200 && body == "hello aio";
}

aio::coro<bool> pg_refused() {
  try {
    auto conn = co_await aio::pg::connect("postgresql://nobody@127.0.0.1:1/none?connect_timeout=5");
  } catch (const aio::pg::connection_error&) {
    co_return true;
  }
  co_return false;
}

aio::coro<int> consumer_main() {
  const bool http_ok = co_await http_round_trip();
  const bool pg_ok = co_await pg_refused();
  co_return (http_ok ? 0 : 1) + (pg_ok ? 0 : 2);
}
}  // namespace

int main() {
  const int v = aio::run(consumer_main());
  if (v != 0) {
    std::cerr << "aio http+pg consumer: failed (" << v << ")\n";
    return 1;
  }
  std::cout << "aio http+pg consumer: ok\n";
  return 0;
}
