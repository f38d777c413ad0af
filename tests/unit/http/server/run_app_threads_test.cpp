// run_app: several workers (threads with SO_REUSEPORT sockets), SIGTERM, hooks once, cancellation.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "aio/http/server.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;
using namespace std::chrono_literals;

using aio_test::k_real;

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

coro<raw_client> connect_retrying(std::uint16_t port) {
  for (;;) {
    std::exception_ptr failure;
    try {
      co_return co_await raw_client::connect(port);
    } catch (const std::system_error&) {
      failure = std::current_exception();
    }
    co_await aio::sleep(10ms);
  }
}

struct shared_state {
  std::mutex mutex;
  std::set<std::thread::id> threads;  // guarded
  std::atomic<int> startups{0};
  std::atomic<int> cleanups{0};
};

aio::http::application make_app(shared_state& st) {
  aio::http::application app;
  app.router().add_get("/", [&st](request&) -> coro<response> {
    {
      std::lock_guard lock(st.mutex);
      st.threads.insert(std::this_thread::get_id());
    }
    co_return aio::http::text_response("hi");
  });
  app.on_startup().push_back([&st](aio::http::application&) -> coro<> {
    ++st.startups;
    co_return;
  });
  app.on_cleanup().push_back([&st](aio::http::application&) -> coro<> {
    ++st.cleanups;
    co_return;
  });
  return app;
}

TEST(HttpServerRunApp, WorkersServeUntilSigterm) {
  shared_state st;
  auto app = make_app(st);
  const std::uint16_t port = free_port();
  aio_test::run(
      [](aio::http::application& app, std::uint16_t port) -> coro<> {
        auto serving = aio::create_task(
            aio::http::run_app(app, {.host = "127.0.0.1", .port = port, .workers = 3, .print = false}));
        for (int i = 0; i < 30; ++i) {
          auto c = co_await connect_retrying(port);
          auto r = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
          EXPECT_EQ(r.status, 200);
          EXPECT_EQ(r.body, "hi");
          c.close();
        }
        ::kill(::getpid(), SIGTERM);
        co_await serving;
      }(app, port),
      k_real);
  EXPECT_EQ(st.startups, 1);
  EXPECT_EQ(st.cleanups, 1);
  EXPECT_GE(st.threads.size(), 1U);  // which worker accepts is the kernel's choice
}

TEST(HttpServerRunApp, CancellingRunAppShutsDown) {
  shared_state st;
  auto app = make_app(st);
  const std::uint16_t port = free_port();
  aio_test::run(
      [](aio::http::application& app, std::uint16_t port) -> coro<> {
        auto serving = aio::create_task(aio::http::run_app(
            app, {.host = "127.0.0.1", .port = port, .workers = 2, .print = false, .handle_signals = false}));
        auto c = co_await connect_retrying(port);
        EXPECT_EQ((co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).status, 200);
        serving.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(serving);
        EXPECT_TRUE(cancelled);
        EXPECT_TRUE(co_await c.at_eof());
      }(app, port),
      k_real);
  EXPECT_EQ(st.cleanups, 1);
}

}  // namespace
