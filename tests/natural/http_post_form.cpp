// aiohttp client docs, "More complicated POST requests" (form-encoded data), and the server's
// `await request.post()`:
//
//     await session.post(url, data={'key1': 'value1', 'key2': 'value 2'})
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <stdexcept>
#include <string>

using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_post("/form", [](request& req) -> aio::coro<response> {
    auto form = co_await req.post();
    std::string joined;
    for (const auto& [name, value] : form.fields) joined += name + "=" + value + ";";
    co_return aio::http::text_response(joined);
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/form";

  aio::http::client_session session;
  auto resp = co_await session.post(url, {.data = {{"key1", "value1"}, {"key2", "value 2"}}});
  std::string text = co_await resp.text();
  if (text != "key1=value1;key2=value 2;") throw std::runtime_error("the form arrived as: " + text);
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
