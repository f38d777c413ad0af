// aiohttp client docs, "Timeouts":
//
//     timeout = aiohttp.ClientTimeout(total=0.1)
//     try:
//         async with session.get(url, timeout=timeout) as resp: ...
//     except asyncio.TimeoutError: ...
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_get("/slow", [](request&) -> aio::coro<response> {
    co_await aio::sleep(10s);
    co_return aio::http::text_response("too late");
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/slow";

  aio::http::client_session session({.timeout = {.total = 5s}});
  const auto started = aio::clock::now();
  bool timed_out = false;
  try {
    auto resp = co_await session.get(url, {.timeout = aio::http::client_timeout{.total = 100ms}});
  } catch (const aio::timeout_error&) {
    timed_out = true;
  }
  if (!timed_out) throw std::runtime_error("the request did not time out");
  if (aio::clock::now() - started > 2s) throw std::runtime_error("the per-request timeout was ignored");
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
