// aiohttp client docs, "Custom Request Headers":
//
//     headers = {"Authorization": "Bearer abc"}
//     await session.get(url, headers=headers)
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <stdexcept>
#include <string>

using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_get("/whoami", [](request& req) -> aio::coro<response> {
    if (req.headers().get("Authorization") != "Bearer abc") throw aio::http::http_error(401, "who are you?");
    co_return aio::http::text_response(std::string(req.headers().get("X-Name", "nobody")));
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/whoami";

  aio::http::client_session session;
  auto resp = co_await session.get(url, {.headers = {{"Authorization", "Bearer abc"}, {"X-Name", "ann"}}});
  if (resp.status() != 200 || co_await resp.text() != "ann")
    throw std::runtime_error("the headers were not sent");
  auto refused = co_await session.get(url);
  if (refused.status() != 401)
    throw std::runtime_error("expected 401, got " + std::to_string(refused.status()));
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
