// Server limits and bad input over real sockets: 413, 431, 400 (closing the connection), timeouts,
// vanished clients, Expect: 100-continue, compressed bodies, graceful shutdown.

#include <gtest/gtest.h>

#include <string>

#include "../../../../src/http/compression.hpp"
#include "aio/http/server.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;
using namespace std::chrono_literals;

struct probe {
  aio::event started;
  aio::event finished;
  bool cancelled = false;
};

aio::http::application make_app(probe& p) {
  aio::http::application app;
  app.router().add_get("/", [](request&) -> coro<response> { co_return aio::http::text_response("ok"); });
  app.router().add_post("/echo", [](request& req) -> coro<response> {
    std::string body = co_await req.read();
    co_return aio::http::text_response(body);
  });
  app.router().add_get("/slow", [&p](request&) -> coro<response> {
    p.started.set();
    const bool cancelled = co_await aio_test::was_cancelled(aio::sleep(1h));
    p.cancelled = cancelled;
    p.finished.set();
    if (cancelled) throw aio::cancelled_error();
    co_return aio::http::text_response("late");
  });
  app.router().add_get("/wait", [&p](request&) -> coro<response> {
    p.started.set();
    const bool cancelled = co_await aio_test::was_cancelled(aio::sleep(100ms));
    p.cancelled = cancelled;
    p.finished.set();
    if (cancelled) throw aio::cancelled_error();
    co_return aio::http::text_response("done");
  });
  return app;
}

using aio_test::k_real;

TEST(HttpServerLimits, BodyOverClientMaxSizeIs413) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .client_max_size = 1000});
        {  // announced by Content-Length: answered at the head
          auto c = co_await raw_client::connect(srv.port());
          auto r = co_await c.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n");
          EXPECT_EQ(r.status, 413);
          EXPECT_FALSE(r.keep_alive);
          EXPECT_TRUE(co_await c.at_eof());
        }
        {  // chunked: noticed while the handler reads
          auto c = co_await raw_client::connect(srv.port());
          const std::string chunk(600, 'a');
          auto r = co_await c.request(
              "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk +
              "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
          EXPECT_EQ(r.status, 413);
          EXPECT_TRUE(co_await c.at_eof());
        }
        {  // the default is 1 MiB
          auto srv2 = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
          auto c = co_await raw_client::connect(srv2.port());
          auto r = co_await c.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n");
          EXPECT_EQ(r.status, 413);
          co_await srv2.shutdown();
        }
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerLimits, HeaderSectionOverLimitIs431) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        std::string req = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 20; ++i)
          req += "X-Big-" + std::to_string(i) + ": " + std::string(4000, 'v') + "\r\n";
        req += "\r\n";
        auto r = co_await c.request(req);
        EXPECT_EQ(r.status, 431);
        EXPECT_TRUE(co_await c.at_eof());
        co_await srv.shutdown();
      }(app),
      k_real);
}

class HttpServerBadInput : public testing::TestWithParam<const char*> {};

TEST_P(HttpServerBadInput, Is400AndCloses) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app, std::string bytes) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request(bytes);
        EXPECT_EQ(r.status, 400);
        EXPECT_FALSE(r.keep_alive);
        EXPECT_TRUE(co_await c.at_eof());
        co_await srv.shutdown();
      }(app, GetParam()),
      k_real);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, HttpServerBadInput,
    testing::Values(
        "GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "GET /a b c HTTP/1.1\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: "
        "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "GET / HTTP/2.0\r\nHost: x\r\n\r\n"));

TEST(HttpServerLimits, IdleKeepAliveTimeoutClosesTheConnection) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv =
            co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .keepalive_timeout = 200ms});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.status, 200);
        EXPECT_TRUE(co_await c.at_eof());  // the server closes by itself
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerLimits, SlowRequestHeadGets408) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv =
            co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .request_header_timeout = 200ms});
        auto c = co_await raw_client::connect(srv.port());
        c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");  // and never the rest
        auto r = co_await c.response();
        EXPECT_EQ(r.status, 408);
        EXPECT_TRUE(co_await c.at_eof());
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerLimits, ClientThatDisconnectsCancelsTheHandler) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app, probe& p) -> coro<> {
        auto srv =
            co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .keepalive_timeout = 400ms});
        {
          auto c = co_await raw_client::connect(srv.port());
          c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
          co_await p.started.wait();
          c.writer().abort();
        }
        co_await aio::wait_for(p.finished.wait(), 10s);
        EXPECT_TRUE(p.cancelled);
        while (srv.connection_count() != 0) co_await aio::sleep(10ms);
        co_await srv.shutdown();
      }(app, p),
      k_real);
}

TEST(HttpServerLimits, HandlerCancellationCanBeTurnedOff) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app, probe& p) -> coro<> {
        auto srv = co_await aio::http::serve(
            app, {.host = "127.0.0.1", .port = 0, .keepalive_timeout = 400ms, .handler_cancellation = false});
        {
          auto c = co_await raw_client::connect(srv.port());
          c.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
          co_await p.started.wait();
          c.writer().abort();
        }
        // The client is gone, yet the handler (100 ms) runs to its end; its response goes nowhere.
        co_await aio::wait_for(p.finished.wait(), 10s);
        EXPECT_FALSE(p.cancelled) << "the handler was cancelled although handler_cancellation is off";
        while (srv.connection_count() != 0) co_await aio::sleep(10ms);
        co_await srv.shutdown();
      }(app, p),
      k_real);
}

TEST(HttpServerLimits, ExpectContinue) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        std::string interim = co_await c.reader().readuntil("\r\n\r\n");
        EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
        auto r = co_await c.request("body");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "body");
        // too large: 413 at once, no 100
        auto r2 = co_await c.request(
            "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n");
        EXPECT_EQ(r2.status, 413);
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerLimits, GzipAndDeflateRequestBodies) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv =
            co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .client_max_size = 100000});
        auto c = co_await raw_client::connect(srv.port());
        for (auto coding :
             {aio::http::detail::content_coding::gzip, aio::http::detail::content_coding::deflate}) {
          const std::string gz = aio::http::detail::compress("hello hello hello", coding);
          const std::string name = coding == aio::http::detail::content_coding::gzip ? "gzip" : "deflate";
          auto r = co_await c.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: " + name +
                                      "\r\nContent-Length: " + std::to_string(gz.size()) + "\r\n\r\n" + gz);
          EXPECT_EQ(r.body, "hello hello hello");
        }
        // a bomb: small on the wire, over the limit once inflated
        const std::string bomb =
            aio::http::detail::compress(std::string(1000000, 'a'), aio::http::detail::content_coding::gzip);
        auto r = co_await c.request(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: " +
            std::to_string(bomb.size()) + "\r\n\r\n" + bomb);
        EXPECT_EQ(r.status, 413);
        auto r2 = co_await c.request(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nxyz");
        EXPECT_EQ(r2.status, 400);
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerLimits, GracefulShutdownLetsInFlightRequestsFinish) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app, probe& p) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto idle = co_await raw_client::connect(srv.port());
        auto busy = co_await raw_client::connect(srv.port());
        EXPECT_EQ((co_await idle.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).status, 200);
        busy.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
        co_await p.started.wait();
        auto stopping = aio::create_task(srv.shutdown());
        auto r = co_await busy.response();
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "done");
        EXPECT_FALSE(r.keep_alive);  // Connection: close while shutting down
        EXPECT_TRUE(co_await idle.at_eof());
        EXPECT_TRUE(co_await busy.at_eof());
        co_await stopping;
      }(app, p),
      k_real);
}

TEST(HttpServerLimits, ShutdownTimeoutCancelsStuckHandlers) {
  probe p;
  auto app = make_app(p);
  aio_test::run(
      [](aio::http::application& app, probe& p) -> coro<> {
        auto srv =
            co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .shutdown_timeout = 100ms});
        auto c = co_await raw_client::connect(srv.port());
        c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        co_await p.started.wait();
        co_await srv.shutdown();
        EXPECT_TRUE(p.cancelled);
        EXPECT_TRUE(co_await c.at_eof());
      }(app, p),
      k_real);
}

}  // namespace
