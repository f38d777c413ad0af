// The soak of issue 13: for AIO_SOAK_SECONDS (default 60) every attack of hostile_output_test.cpp runs
// at once against one server, each attacker killed and started again every few seconds, while normal
// clients (an aio::http::client_session, as a user writes it) keep sending GETs and POSTs. The normal
// clients must see no error and no slow answer, and the server's memory must stay bounded.
//
// Labelled `soak` (tests/CMakeLists.txt): the release suite runs it once; the sanitizer builds skip it.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aio/http/client.hpp"
#include "aio/http/server.hpp"
#include "hostile_peers.hpp"

namespace {

using namespace hostile;
using aio::coro;
using aio_test::k_real;
using namespace std::chrono_literals;

double soak_seconds() {
  const char* s = std::getenv("AIO_SOAK_SECONDS");
  return s != nullptr ? std::atof(s) : 60.0;
}

/// What the normal clients saw.
struct normal_traffic {
  int requests = 0;
  int errors = 0;
  double slowest = 0;
  std::string first_error;
};

/// One normal client: GET / and POST /upload in turn on one session until `until`.
coro<> normal_client(std::uint16_t port, std::chrono::steady_clock::time_point until, normal_traffic& seen) {
  aio::http::client_session session({.timeout = {.total = 5s}});
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string body(10000, 'u');
  while (std::chrono::steady_clock::now() < until) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      auto get = co_await session.get(base + "/");
      const std::string home = co_await get.text();
      auto post = co_await session.post(base + "/upload", {.body = body});
      const std::string size = co_await post.text();
      if (get.status() != 200 || home != "home" || post.status() != 200 || size != "10000") {
        ++seen.errors;
        if (seen.first_error.empty()) seen.first_error = "unexpected answer: " + home + " / " + size;
      }
    } catch (const std::exception& e) {
      ++seen.errors;
      if (seen.first_error.empty()) seen.first_error = e.what();
    }
    seen.requests += 2;
    seen.slowest = std::max(seen.slowest, since(t0, std::chrono::steady_clock::now()));
    co_await aio::sleep(20ms);
  }
  co_await session.close();
}

TEST(HttpSoak, MixedAttacksAndNormalTrafficForAMinute) {
  test_app t;
  t.ws_send_timeout = 1s;  // short timeouts make the server cycle through its defences during the soak
  std::string echo_frames;
  for (int i = 0; i < 200; ++i) echo_frames += masked_text(100);
  std::string pipelined_gets;
  for (int i = 0; i < 50; ++i) pipelined_gets += "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string stalled_body =
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n0123456789";
  const std::string slow_head = "GET / HTTP/1.1\r\nHost: x\r\n";
  aio_test::run(
      [](test_app& t, std::vector<std::pair<std::string, std::string>> attacks, std::vector<bool> reads)
          -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1",
                                                     .port = 0,
                                                     .request_header_timeout = 1s,
                                                     .request_body_timeout = 1s,
                                                     .send_timeout = 1s});
        const auto until = std::chrono::steady_clock::now() +
                           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>(soak_seconds()));
        normal_traffic seen;
        std::vector<aio::task<>> clients;
        for (int i = 0; i < 4; ++i)
          clients.push_back(aio::create_task(normal_client(srv.port(), until, seen)));
        const rss_probe rss;
        // Each attacker lives 3 s, then a new one takes its place (a fresh connection, a fresh attack).
        while (std::chrono::steady_clock::now() < until) {
          std::vector<std::unique_ptr<forked_peer>> peers;
          for (std::size_t i = 0; i < attacks.size(); ++i) {
            peers.push_back(
                std::make_unique<forked_peer>(srv.port(), attacks[i].first, attacks[i].second, reads[i]));
          }
          co_await aio::sleep(3s);
        }
        co_await aio::gather(std::move(clients));
        EXPECT_EQ(seen.errors, 0) << seen.first_error;
        EXPECT_GT(seen.requests, 100);
        EXPECT_LT(seen.slowest, 1.0);
        EXPECT_TRUE(rss.reset);
        EXPECT_LT(rss.growth(), 64 * k_mib) << "peak RSS rose by " << rss.growth() / k_mib << " MiB";
        co_await srv.shutdown();
      }(t,
          {{k_upgrade, masked_pings(200)},  // row 1: pings, never reading
           {"", pipelined_big(300)},        // row 2: pipelined GET /big, never reading
           {k_upgrade, echo_frames},        // row 3: a WebSocket stream that reads its echoes
           {"", pipelined_gets},            // row 3: a pipelined flood that reads its answers
           {stalled_body, ""},              // row 8: a body that stalls
           {slow_head, ""}},                // slowloris: a head that never ends
          {false, false, true, true, false, false}),
      k_real);
}

}  // namespace
