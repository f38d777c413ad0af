// aiohttp client docs, "Passing Parameters In URLs":
//
//     params = {'key1': 'value1', 'key2': 'value2'}
//     async with session.get('http://httpbin.org/get', params=params) as resp:
//         assert str(resp.url) == 'http://httpbin.org/get?key1=value1&key2=value2'
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <stdexcept>
#include <string>

using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_get("/get", [](request& req) -> aio::coro<response> {
    co_return aio::http::json_response(
        {{"query", std::string(req.query_string())}, {"a", std::string(req.query("a").value_or(""))}});
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string base = "http://127.0.0.1:" + std::to_string(srv.port());

  aio::http::client_session session;
  auto resp = co_await session.get(base + "/get", {.params = {{"a", "1"}, {"b", "2 3"}}});
  nlohmann::json body = co_await resp.json();
  if (resp.status() != 200) throw std::runtime_error("status " + std::to_string(resp.status()));
  if (body["query"] != "a=1&b=2+3" || body["a"] != "1")
    throw std::runtime_error("wrong query: " + body.dump());
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
