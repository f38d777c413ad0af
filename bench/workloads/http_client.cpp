// HTTP client workload: `aio_http_client URL N CONCURRENCY` sends N GET requests to URL through one
// client_session with at most CONCURRENCY in flight, reads every body, and prints
// `elapsed_s=<secs> requests=<n> errors=<n>`. The peers doing the same are in bench/client_peers/
// (aiohttp on uvloop, Go net/http). Written the way an aiohttp user writes it:
//
//     async with ClientSession(connector=TCPConnector(limit=concurrency)) as s:
//         async def worker():
//             while next(counter) < n:
//                 async with s.get(url) as r: await r.read()
//         await asyncio.gather(*(worker() for _ in range(concurrency)))
//
// AIO_BACKEND=epoll|io_uring selects the backend (default: automatic).

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct counters {
  long next = 0;
  long n = 0;
  long ok = 0;
  long errors = 0;
};

aio::coro<> worker(aio::http::client_session& session, const std::string& url, counters& c) {
  while (c.next < c.n) {
    ++c.next;
    try {
      auto resp = co_await session.get(url);
      co_await resp.read();
      if (resp.status() < 400) {
        ++c.ok;
      } else {
        ++c.errors;
      }
    } catch (const std::exception& e) {
      if (c.errors++ == 0) std::fprintf(stderr, "first error: %s\n", e.what());
    }
  }
}

aio::coro<> run(std::string url, long n, long concurrency) {
  aio::http::client_session session({.limit = static_cast<std::size_t>(concurrency)});
  counters c;
  c.n = n;
  const auto start = std::chrono::steady_clock::now();
  std::vector<aio::coro<>> workers;
  workers.reserve(static_cast<std::size_t>(concurrency));
  for (long i = 0; i < concurrency; ++i) workers.push_back(worker(session, url, c));
  co_await aio::gather(std::move(workers));
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  co_await session.close();
  std::printf("elapsed_s=%.3f requests=%ld errors=%ld\n", elapsed.count(), c.ok, c.errors);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s URL N CONCURRENCY\n", argv[0]);
    return 2;
  }
  const long n = std::atol(argv[2]);
  const long concurrency = std::atol(argv[3]);
  if (n <= 0 || concurrency <= 0) {
    std::fprintf(stderr, "N and CONCURRENCY must be positive\n");
    return 2;
  }
  aio::run(run(argv[1], n, concurrency));
  return 0;
}
