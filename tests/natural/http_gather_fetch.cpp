// aiohttp + asyncio tutorials: fetch several URLs concurrently with one session.
//
//     async def fetch(session, url):
//         async with session.get(url) as resp: return await resp.text()
//     pages = await asyncio.gather(*(fetch(session, u) for u in urls))
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using aio::http::request;
using aio::http::response;

aio::coro<std::string> fetch(aio::http::client_session& session, std::string url) {
  auto resp = co_await session.get(url);
  co_return co_await resp.text();
}

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_get("/delay/{n}", [](request& req) -> aio::coro<response> {
    co_await aio::sleep(100ms);
    co_return aio::http::text_response("page " + std::string(req.match_info("n")));
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string base = "http://127.0.0.1:" + std::to_string(srv.port());

  aio::http::client_session session;
  std::vector<aio::coro<std::string>> fetches;
  for (int i = 0; i < 5; ++i) fetches.push_back(fetch(session, base + "/delay/" + std::to_string(i)));
  const auto started = aio::clock::now();
  auto pages = co_await aio::gather(std::move(fetches));
  if (aio::clock::now() - started > 400ms) throw std::runtime_error("the fetches did not overlap");
  for (int i = 0; i < 5; ++i) {
    if (pages[static_cast<std::size_t>(i)] != "page " + std::to_string(i))
      throw std::runtime_error("wrong page");
  }
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
