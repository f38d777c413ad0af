// The server against peers that break the rules on purpose: requests without or with two Host
// headers (RFC 9112 3.2), and a flood of connection resets that must not flood the logs. The peers are
// plain POSIX sockets, so every byte (and the RST) is exactly what a hostile client sends.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "aio/http/server.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;
using namespace std::chrono_literals;

using aio_test::k_real;

aio::http::application make_app() {
  aio::http::application app;
  app.router().add_get("/", [](request&) -> coro<response> { co_return aio::http::text_response("home"); });
  app.router().add_post("/upload", [](request& req) -> coro<response> {
    const std::string body = co_await req.text();
    co_return aio::http::text_response(std::to_string(body.size()));
  });
  app.router().add_get("/throw", [](request&) -> coro<response> {
    throw std::runtime_error("handler failed on purpose");
    co_return response{};
  });
  return app;
}

/// A blocking loopback socket: connect() completes in the kernel, before the server accepts.
int raw_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void raw_send(int fd, std::string_view bytes) {
  EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

/// Closes with SO_LINGER 0: the kernel sends RST, the server's pending read fails with ECONNRESET.
void raw_reset(int fd) {
  const linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

std::string host_case_reply(aio::http::application& app, const std::string& bytes) {
  return aio_test::run(
      [](aio::http::application& app, std::string bytes) -> coro<std::string> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        c.send(bytes);
        // Everything until the server closes (a keep-alive answer is followed by this test's close).
        std::string all = co_await aio::wait_for(c.read_all(), 2s);
        co_await srv.shutdown();
        co_return all;
      }(app, bytes),
      k_real);
}

std::size_t count(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t i = hay.find(needle); i != std::string_view::npos; i = hay.find(needle, i + 1)) ++n;
  return n;
}

TEST(HttpHostilePeers, MissingHostOnHttp11Is400AndTheConnectionCloses) {
  auto app = make_app();
  // A second, valid request pipelined behind the bad one is not served (nginx and aiohttp close).
  const std::string all =
      host_case_reply(app, "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(all.starts_with("HTTP/1.1 400 ")) << all;
  EXPECT_NE(all.find("Connection: close"), std::string::npos) << all;
  EXPECT_NE(all.find("Host"), std::string::npos) << all;  // the body says why
  EXPECT_EQ(count(all, "HTTP/1.1 "), 1U) << all;
  EXPECT_EQ(all.find("home"), std::string::npos) << all;
}

TEST(HttpHostilePeers, DuplicateHostIs400OnEveryVersion) {
  auto app = make_app();
  for (const char* bytes :
       {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
        "POST /upload HTTP/1.1\r\nHost: a\r\nHOST: b\r\nContent-Length: 3\r\n\r\nabc"}) {
    const std::string all = host_case_reply(app, std::string(bytes) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(all.starts_with("HTTP/1.1 400 ")) << bytes << "\n" << all;
    EXPECT_EQ(count(all, "HTTP/1.1 "), 1U) << all;
    EXPECT_EQ(all.find("home"), std::string::npos) << all;
  }
}

TEST(HttpHostilePeers, OneHostOrHttp10WithoutHostIsServed) {
  auto app = make_app();
  std::string all = host_case_reply(app, "GET / HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(all.starts_with("HTTP/1.1 200 ")) << all;
  EXPECT_TRUE(all.ends_with("home")) << all;
  all = host_case_reply(
      app, "GET / HTTP/1.1\r\nhost: x\r\n\r\nGET / HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(count(all, "HTTP/1.1 200 "), 2U) << all;
}

/// Reads what the test process wrote to stderr while `body` ran.
template <class F>
std::string capture_stderr(F body) {
  testing::internal::CaptureStderr();
  body();
  return testing::internal::GetCapturedStderr();
}

TEST(HttpHostilePeers, TwoHundredResetsDuringBodyReadsLogABoundedNumberOfLines) {
  auto app = make_app();
  constexpr int k_peers = 200;
  const std::string err = capture_stderr([&app] {
    aio_test::run(
        [](aio::http::application& app) -> coro<> {
          auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
          std::vector<int> fds;
          for (int i = 0; i < k_peers; ++i) {
            fds.push_back(raw_connect(srv.port()));
            // A head announcing 100000 bytes, then 10: the handler is left waiting in req.text().
            raw_send(fds.back(),
                     "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789");
          }
          for (int i = 0; i < 500 && srv.connection_count() < k_peers; ++i) co_await aio::sleep(5ms);
          EXPECT_EQ(srv.connection_count(), static_cast<std::size_t>(k_peers));
          co_await aio::sleep(50ms);  // every handler is now waiting for the body
          for (const int fd : fds) raw_reset(fd);
          for (int i = 0; i < 500 && srv.connection_count() != 0; ++i) co_await aio::sleep(5ms);
          EXPECT_EQ(srv.connection_count(), 0U);
          co_await srv.shutdown();  // reports what is still suppressed
        }(app),
        k_real);
  });
  std::istringstream lines(err);
  std::size_t printed = 0;
  std::uint64_t suppressed = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_FALSE(line.starts_with("aio: aio:")) << line;
    if (line.find("client disconnected during POST /upload") != std::string::npos) {
      ++printed;
      EXPECT_TRUE(line.starts_with("aio.http: 127.0.0.1:")) << line;  // the peer's address and port
      EXPECT_TRUE(line.ends_with("client disconnected during POST /upload: Connection reset by peer"))
          << line;
    } else if (line.starts_with("aio.http: suppressed ")) {
      suppressed += std::stoull(line.substr(std::string_view("aio.http: suppressed ").size()));
      EXPECT_NE(line.find("'client disconnect'"), std::string::npos) << line;
    } else {
      ADD_FAILURE() << "unexpected line: " << line;
    }
  }
  // At most 10 a second; the flood lasts well under 2 s.
  EXPECT_GE(printed, 1U);
  EXPECT_LE(printed, 20U) << err;
  EXPECT_EQ(printed + suppressed, static_cast<std::uint64_t>(k_peers)) << err;
}

TEST(HttpHostilePeers, HandlerErrorsAreRateLimitedPerKindWithThePeer) {
  auto app = make_app();
  const std::string err = capture_stderr([&app] {
    aio_test::run(
        [](aio::http::application& app) -> coro<> {
          auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
          auto c = co_await raw_client::connect(srv.port());
          for (int i = 0; i < 50; ++i) {
            auto r = co_await c.request("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
            EXPECT_EQ(r.status, 500);
            EXPECT_EQ(r.body.find("on purpose"), std::string::npos);  // never sent to the client
          }
          co_await srv.shutdown();
        }(app),
        k_real);
  });
  // 50 requests take a few milliseconds: one window, 10 lines, then one line for the other 40.
  const std::size_t printed = count(err, "error handling request GET /throw: handler failed on purpose");
  EXPECT_EQ(count(err, "aio.http: 127.0.0.1:"), printed) << err;
  if (printed == 10) {
    EXPECT_NE(err.find("aio.http: suppressed 40 more 'handler error' messages"), std::string::npos) << err;
  } else {  // a slow machine crossed into a second window
    EXPECT_LE(printed, 20U) << err;
    EXPECT_NE(err.find("more 'handler error' messages"), std::string::npos) << err;
  }
}

}  // namespace
