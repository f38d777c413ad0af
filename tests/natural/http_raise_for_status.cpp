// aiohttp client docs, resp.raise_for_status(), and the server's `raise web.HTTPNotFound()`:
//
//     try:
//         async with session.get(url) as resp:
//             resp.raise_for_status()
//     except aiohttp.ClientResponseError as e:
//         print(e.status)
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <stdexcept>
#include <string>

using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_get("/users/{id}", [](request& req) -> aio::coro<response> {
    if (req.match_info("id") != "1") throw aio::http::http_error(404, "no such user");
    co_return aio::http::json_response({{"id", 1}, {"name", "ann"}});
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string base = "http://127.0.0.1:" + std::to_string(srv.port());

  aio::http::client_session session;
  int status = 0;
  for (std::string id : {"1", "2"}) {
    try {
      auto resp = co_await session.get(base + "/users/" + id);
      resp.raise_for_status();
      if ((co_await resp.json())["name"] != "ann") throw std::runtime_error("wrong user");
    } catch (const aio::http::client_response_error& e) {
      status = e.status();
    }
  }
  if (status != 404) throw std::runtime_error("raise_for_status did not raise 404");
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
