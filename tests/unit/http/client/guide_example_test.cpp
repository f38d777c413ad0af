// The first version of docs/guide/http_client.md's example (the guide now writes the query and the JSON
// in place; docs/examples/http_client.cpp runs that one), kept as a test of the named-data spellings
// (`{.params = q}`, `{.json = item}`), run against a local server.

#include <gtest/gtest.h>

#include <string>

#include "aio/aio.hpp"
#include "aio/http/client.hpp"
#include "client_test_server.hpp"
#include "test_support.hpp"

namespace guide {

// --- begin example ---
#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <cstdio>

using namespace std::chrono_literals;

aio::coro<std::size_t> fetch(std::string base) {
  aio::http::client_session session({.timeout = {.total = 10s}, .limit = 10});

  // GET with query parameters, then JSON.
  aio::http::query_params q{{"q", "coroutines"}};
  auto resp = co_await session.get(base + "/search", {.params = q});
  resp.raise_for_status();
  nlohmann::json hits = co_await resp.json();
  std::printf("%d: %zu hits\n", resp.status(), hits.size());

  // POST a JSON body.
  nlohmann::json item{{"name", "aio"}};
  auto created = co_await session.post(base + "/items", {.json = item});
  std::printf("created: %s\n", (co_await created.text()).c_str());

  // Stream a large body in pieces.
  auto download = co_await session.get(base + "/download");
  auto chunks = download.content().iter_chunked(64 * 1024);
  std::size_t size = 0;
  while (auto chunk = co_await chunks.next()) size += chunk->size();

  co_await session.close();
  co_return size;
}
// --- end example ---

}  // namespace guide

namespace {

TEST(client_guide, example_runs) {
  const std::size_t size = aio_test::run(
      []() -> aio::coro<std::size_t> {
        auto srv = co_await client_test::start([](const client_test::raw_request& r) {
          if (r.target == "/search?q=coroutines") {
            return client_test::action{
                client_test::response(200, "[1, 2, 3]", "Content-Type: application/json\r\n")};
          }
          if (r.target == "/items")
            return client_test::action{client_test::response(201, r.body, "", "Created")};
          return client_test::action{client_test::response(200, std::string(200000, 'd'))};
        });
        std::string base = srv.url("");
        const std::size_t n = co_await guide::fetch(base);
        co_await srv.stop();
        co_return n;
      }(),
      {.clock = aio::real_clock});
  EXPECT_EQ(size, 200000U);
}

}  // namespace
