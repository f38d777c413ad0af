// The server against peers that make it produce output and never read it (issue 13, rows 1, 2 and
// 8): a WebSocket ping flood, pipelined requests for a large response, and a request body that
// stalls. Each attacker is a child process on a raw blocking socket (fork), so its memory is not the
// server's and its bytes are exactly what a hostile client sends. The server's peak RSS is read from
// /proc/self/status; the timeouts are short and measured on the real clock with slack.
//
// Run on both backends: AIO_BACKEND=epoll and AIO_BACKEND=io_uring.

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "aio/http/server.hpp"
#include "hostile_peers.hpp"

namespace {

using namespace hostile;
using aio::coro;
using aio_test::k_real;
using namespace std::chrono_literals;

// ---- row 1: WebSocket pings, never reading -------------------------------------------------------

TEST(HttpHostileOutput, WebSocketPingFloodWithoutReadingKeepsMemoryBounded) {
  test_app t;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0});
        forked_peer peer(srv.port(), k_upgrade, masked_pings(200));
        EXPECT_TRUE(peer.started());
        co_await wait_connected(srv, 1);
        const rss_probe rss;
        co_await expect_others_served(srv.port(), 2s);  // the flood goes on meanwhile
        EXPECT_TRUE(rss.reset);
        EXPECT_LT(rss.growth(), 32 * k_mib) << "peak RSS rose by " << rss.growth() / k_mib << " MiB";
        EXPECT_FALSE(t.outcome.ended);  // the default send_timeout (60 s) has not expired
        peer.stop();
        for (int i = 0; i < 200 && !t.outcome.ended; ++i) co_await aio::sleep(10ms);
        EXPECT_TRUE(t.outcome.ended);
        co_await srv.shutdown();
      }(t),
      k_real);
}

TEST(HttpHostileOutput, WebSocketPeerThatDoesNotReadIsDisconnectedAfterTheSendTimeout) {
  test_app t;
  t.ws_send_timeout = 200ms;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0});
        const auto t0 = std::chrono::steady_clock::now();
        forked_peer peer(srv.port(), k_upgrade, masked_pings(200));
        for (int i = 0; i < 300 && !t.outcome.ended; ++i) co_await aio::sleep(10ms);
        EXPECT_TRUE(t.outcome.ended);
        EXPECT_GE(since(t0, t.outcome.at), 0.2);
        EXPECT_LT(since(t0, t.outcome.at), 2.0);
        EXPECT_EQ(t.outcome.last, aio::http::ws_msg_type::error);
        EXPECT_EQ(t.outcome.code, aio::http::ws_close_code::abnormal_closure);
        EXPECT_TRUE(t.outcome.timeout_error);
        for (int i = 0; i < 200 && srv.connection_count() != 0; ++i) co_await aio::sleep(10ms);
        EXPECT_EQ(srv.connection_count(), 0U);
        peer.stop();  // (ends a handler that, on failure, would still be receiving)
        co_await srv.shutdown();
      }(t),
      k_real);
}

TEST(HttpHostileOutput, WebSocketEchoToAPeerThatDoesNotReadFailsTheSendAfterTheSendTimeout) {
  test_app t;
  t.ws_send_timeout = 200ms;
  t.echo = true;
  std::string frames;
  for (int i = 0; i < 200; ++i) frames += masked_text(120);
  aio_test::run(
      [](test_app& t, std::string frames) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0});
        const rss_probe rss;
        const auto t0 = std::chrono::steady_clock::now();
        forked_peer peer(srv.port(), k_upgrade, frames);
        for (int i = 0; i < 300 && !t.outcome.ended; ++i) co_await aio::sleep(10ms);
        EXPECT_TRUE(t.outcome.ended);
        EXPECT_LT(since(t0, t.outcome.at), 2.0);
        EXPECT_TRUE(t.outcome.timeout_error);  // send_str threw it
        EXPECT_EQ(t.outcome.code, aio::http::ws_close_code::abnormal_closure);
        EXPECT_LT(rss.growth(), 32 * k_mib) << "peak RSS rose by " << rss.growth() / k_mib << " MiB";
        peer.stop();
        co_await srv.shutdown();
      }(t, std::move(frames)),
      k_real);
}

// ---- row 3: a peer that streams and reads everything back gets its share, and no more ------------

TEST(HttpHostileOutput, WebSocketStreamThatReadsItsEchoesLeavesOthersServed) {
  test_app t;
  t.echo = true;
  std::string frames;
  for (int i = 0; i < 200; ++i) frames += masked_text(100);
  aio_test::run(
      [](test_app& t, std::string frames) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0});
        forked_peer peer(srv.port(), k_upgrade, frames, /*reads=*/true);
        co_await wait_connected(srv, 1);
        co_await expect_others_served(srv.port(), 2s);  // each GET / answered within 0.5 s
        EXPECT_FALSE(t.outcome.ended);                  // and the stream still goes on
        peer.stop();
        for (int i = 0; i < 200 && !t.outcome.ended; ++i) co_await aio::sleep(10ms);
        EXPECT_TRUE(t.outcome.ended);
        co_await srv.shutdown();
      }(t, std::move(frames)),
      k_real);
}

TEST(HttpHostileOutput, PipelinedFloodThatReadsItsResponsesLeavesOthersServed) {
  test_app t;
  std::string requests;
  for (int i = 0; i < 50; ++i) requests += "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  aio_test::run(
      [](test_app& t, std::string requests) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0});
        forked_peer peer(srv.port(), "", requests, /*reads=*/true);
        co_await wait_connected(srv, 1);
        co_await expect_others_served(srv.port(), 2s);
        EXPECT_GE(srv.connection_count(), 1U);  // the flood is still being served
        peer.stop();
        co_await srv.shutdown();
      }(t, std::move(requests)),
      k_real);
}

// ---- row 2: pipelined requests for a large response, never reading -------------------------------

TEST(HttpHostileOutput, PipelinedLargeResponsesWithoutReadingKeepMemoryBounded) {
  test_app t;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0});
        const rss_probe rss;
        forked_peer peer(srv.port(), pipelined_big(300), "");
        co_await wait_connected(srv, 1);
        co_await expect_others_served(srv.port(), 2s);
        EXPECT_TRUE(rss.reset);
        EXPECT_LT(rss.growth(), 32 * k_mib) << "peak RSS rose by " << rss.growth() / k_mib << " MiB";
        EXPECT_GE(srv.connection_count(), 1U);  // still waiting for the client (send_timeout 60 s)
        peer.stop();
        co_await srv.shutdown();
      }(t),
      k_real);
}

TEST(HttpHostileOutput, PipelinedClientThatDoesNotReadIsDisconnectedAfterTheSendTimeout) {
  test_app t;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0, .send_timeout = 200ms});
        const auto t0 = std::chrono::steady_clock::now();
        forked_peer peer(srv.port(), pipelined_big(300), "");
        co_await wait_connected(srv, 1);
        for (int i = 0; i < 300 && srv.connection_count() != 0; ++i) co_await aio::sleep(10ms);
        const double took = since(t0, std::chrono::steady_clock::now());
        EXPECT_EQ(srv.connection_count(), 0U);
        EXPECT_GE(took, 0.2);
        EXPECT_LT(took, 2.0);
        co_await srv.shutdown();
      }(t),
      k_real);
}

TEST(HttpHostileOutput, StreamResponseToAClientThatDoesNotReadFailsTheWriteAfterTheSendTimeout) {
  test_app t;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv = co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0, .send_timeout = 200ms});
        const rss_probe rss;
        const auto t0 = std::chrono::steady_clock::now();
        forked_peer peer(srv.port(), "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", "");
        for (int i = 0; i < 300 && !t.stream_error; ++i) co_await aio::sleep(10ms);
        EXPECT_EQ(t.stream_error, ETIMEDOUT);
        EXPECT_GE(since(t0, t.stream_ended), 0.2);
        EXPECT_LT(since(t0, t.stream_ended), 2.0);
        for (int i = 0; i < 200 && srv.connection_count() != 0; ++i) co_await aio::sleep(10ms);
        EXPECT_EQ(srv.connection_count(), 0U);
        EXPECT_LT(rss.growth(), 32 * k_mib) << "peak RSS rose by " << rss.growth() / k_mib << " MiB";
        peer.stop();
        co_await srv.shutdown();
      }(t),
      k_real);
}

// ---- row 8: a request body that stalls -----------------------------------------------------------

TEST(HttpHostileOutput, StalledRequestBodyTimesOutWith408) {
  test_app t;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv =
            co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0, .request_body_timeout = 200ms});
        auto c = co_await raw_client::connect(srv.port());
        const auto t0 = std::chrono::steady_clock::now();
        c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n0123456789");
        const std::string all = co_await aio::wait_for(c.read_all(), 3s);  // until the server closes
        const double took = since(t0, std::chrono::steady_clock::now());
        EXPECT_TRUE(all.starts_with("HTTP/1.1 408 ")) << all;
        EXPECT_NE(all.find("Connection: close"), std::string::npos) << all;
        EXPECT_NE(all.find("request body"), std::string::npos) << all;  // the body says why
        EXPECT_EQ(t.body_error, 408);
        EXPECT_GE(took, 0.2);
        EXPECT_LT(took, 1.5);
        EXPECT_EQ(srv.connection_count(), 0U);
        co_await srv.shutdown();
      }(t),
      k_real);
}

TEST(HttpHostileOutput, SlowButSteadyBodyIsNotTimedOut) {
  // The timeout is between two reads (nginx's client_body_timeout), not for the whole body.
  test_app t;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv =
            co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0, .request_body_timeout = 200ms});
        auto c = co_await raw_client::connect(srv.port());
        c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n");
        for (int i = 0; i < 8; ++i) {
          co_await aio::sleep(100ms);  // 800 ms in all, 100 ms between pieces
          c.send("x");
        }
        auto r = co_await aio::wait_for(c.response(), 3s);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "8");
        EXPECT_FALSE(t.body_error.has_value());
        co_await srv.shutdown();
      }(t),
      k_real);
}

TEST(HttpHostileOutput, StalledBodyAfterTheResponseClosesTheConnection) {
  // The handler answered without reading the body; the server then discards it, under the same
  // timeout.
  test_app t;
  aio_test::run(
      [](test_app& t) -> coro<> {
        auto srv =
            co_await aio::http::serve(t.app, {.host = "127.0.0.1", .port = 0, .request_body_timeout = 200ms});
        auto c = co_await raw_client::connect(srv.port());
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n0123456789");
        const std::string all = co_await aio::wait_for(c.read_all(), 3s);
        EXPECT_TRUE(all.starts_with("HTTP/1.1 405 ")) << all;
        EXPECT_EQ(srv.connection_count(), 0U);
        co_await srv.shutdown();
      }(t),
      k_real);
}

}  // namespace
