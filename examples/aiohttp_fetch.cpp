// The aiohttp tutorial's example: fetch a URL that answers after 2 seconds, three times one after the
// other (about 6 s), then three times at once with gather (about 2 s).
//
//     async def fetch(session, url):
//         async with session.get(url) as response:
//             return await response.json()
//
//     async with aiohttp.ClientSession() as session:
//         for i in range(3): await fetch(session, 'http://httpbin.org/delay/2')           # ~6 s
//         await asyncio.gather(*(fetch(session, 'http://httpbin.org/delay/2') for i in range(3)))  # ~2 s
//
// httpbin.org is the tour's own httpbin (httpbin.hpp), served by this program on 127.0.0.1.

#include <aio/aio.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "httpbin.hpp"

namespace {

/// One GET; what came back, in a line ("200 OK, the server waited 2 s").
aio::coro<std::string> fetch(aio::http::client_session& session, std::string url) {
  auto resp = co_await session.get(url);
  const nlohmann::json body = co_await resp.json();
  co_return std::to_string(resp.status()) + " " + std::string(resp.reason()) + ", the server waited " +
      std::to_string(body["delay"].get<int>()) + " s";
}

std::string took(aio::clock::time_point start) {
  const double s = std::chrono::duration<double>(aio::get_running_loop().time() - start).count();
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

}  // namespace

aio::coro<> aiohttp_fetch_main(std::ostream& out) {
  aio_examples::httpbin httpbin;
  co_await httpbin.start();
  aio::http::client_session session;
  const std::string url = httpbin.url("/delay/2");

  out << "GET /delay/2 three times, one after the other\n";
  auto start = aio::get_running_loop().time();
  for (int i = 1; i <= 3; ++i) {
    const std::string response = co_await fetch(session, url);
    out << "  response " << i << ": " << response << "\n";
  }
  out << "3 responses in " << took(start) << "\n";

  out << "GET /delay/2 three times at once, with gather\n";
  start = aio::get_running_loop().time();
  std::vector<aio::coro<std::string>> fetches;
  for (int i = 1; i <= 3; ++i) fetches.push_back(fetch(session, url));
  const std::vector<std::string> responses = co_await aio::gather(std::move(fetches));
  // (in argument order, whichever arrived first)
  for (std::size_t i = 0; i < responses.size(); ++i)
    out << "  response " << i + 1 << ": " << responses[i] << "\n";
  out << responses.size() << " responses in " << took(start) << "\n";

  co_await session.close();
  co_await httpbin.stop();
}

#ifndef AIO_TOUR
int main() { aio::run(aiohttp_fetch_main(std::cout)); }
#endif
