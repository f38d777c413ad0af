// aiohttp client docs, "JSON Request", and server docs, "JSON Response":
//
//     async with session.post(url, json={'test': 'object', 'nested': {'list': [1, 2, 3]}}) as resp:
//         data = await resp.json()
//     async def handler(request):
//         data = await request.json(); return web.json_response(data, status=201)
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <stdexcept>
#include <string>

using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_post("/items", [](request& req) -> aio::coro<response> {
    nlohmann::json item = co_await req.json();
    item["id"] = 42;
    co_return aio::http::json_response(item, 201);
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/items";

  aio::http::client_session session;
  auto resp = co_await session.post(url, {.json = {{"test", "object"}, {"nested", {{"list", {1, 2, 3}}}}}});
  if (resp.status() != 201) throw std::runtime_error("status " + std::to_string(resp.status()));
  nlohmann::json data = co_await resp.json();
  if (data["id"] != 42 || data["test"] != "object" || data["nested"]["list"][2] != 3) {
    throw std::runtime_error("wrong echo: " + data.dump());
  }
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
