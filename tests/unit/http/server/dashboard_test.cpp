// The live dashboard through aio::run's `.dashboard` option: the page, /metrics beside it, a
// malformed request (400, the program unaffected), the WebSocket's first update listing a task of the
// program, addresses it refuses. The browser test (tests/browser/dashboard_test.sh) drives the page.

#include "aio/http/server/dashboard.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "aio/aio.hpp"
#include "server_test_util.hpp"

using aio::coro;
using server_test::raw_client;
using namespace std::chrono_literals;

namespace {

/// A loopback port nobody listens on (bound, read, closed).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

coro<> idle_worker(aio::event& done) { co_await done.wait(); }

coro<int> use_dashboard(std::uint16_t port) {
  aio::event done;
  auto worker = aio::create_task(idle_worker(done), "visible-worker");
  co_await aio::sleep(50ms);  // the dashboard's task binds its port
  auto c = co_await raw_client::connect(port);
  const auto page = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.get("Content-Type", ""), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("aio dashboard"), std::string::npos);
  const auto metrics = co_await c.request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("\naio_tasks_live "), std::string::npos) << metrics.body;
  // A malformed request: 400 on that connection; the program and the dashboard go on.
  auto bad = co_await raw_client::connect(port);
  EXPECT_EQ((co_await bad.request("\x01\x02 nonsense\r\n\r\n")).status, 400);
  bad.close();
  EXPECT_FALSE(worker.done());
  // The WebSocket's first update lists the program's task.
  auto [ws_in, ws_out] = co_await aio::open_connection("127.0.0.1", port);
  ws_out.write(
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  std::string got;
  for (int i = 0; i < 50 && got.find("\"visible-worker\"") == std::string::npos; ++i) {
    got += co_await ws_in.read(65536);
  }
  EXPECT_NE(got.find("101 Switching Protocols"), std::string::npos) << got.substr(0, 200);
  EXPECT_NE(got.find("\"name\":\"visible-worker\""), std::string::npos) << got.substr(0, 400);
  EXPECT_NE(got.find("listening on loopback only"), std::string::npos);
  ws_out.close();
  const auto again = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(again.status, 200);
  c.close();
  done.set();
  co_await worker;
  co_return 7;
}

TEST(HttpDashboard, ServesThePageUpdatesAndRefusesGarbage) {
  const std::uint16_t port = free_port();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(aio::run(use_dashboard(port), {.dashboard = address}), 7);
  // aio::run released the dashboard: its port is free again.
  EXPECT_EQ(aio::run(use_dashboard(port), {.dashboard = ":" + std::to_string(port)}), 7);
}

coro<int> plain() { co_return 1; }

TEST(HttpDashboard, BadAddressIsReportedAndTheProgramRuns) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(aio::run(plain(), {.dashboard = "127.0.0.1:http"}), 1);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("aio: no dashboard at 127.0.0.1:http"), std::string::npos) << err;
  aio::event_loop loop;
  EXPECT_THROW((void)aio::http::detail::start_dashboard(loop, "x:99999"), std::invalid_argument);
  EXPECT_THROW((void)aio::http::detail::start_dashboard(loop, ""), std::invalid_argument);
}

}  // namespace
