// stream_response, file_response, middlewares, hooks, access log, websocket_response.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "aio/http/server.hpp"
#include "aio/http/websocket/ws_handshake.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;
using namespace std::chrono_literals;

using aio_test::k_real;

struct temp_file {
  std::filesystem::path path;
  explicit temp_file(const std::string& content) {
    path = std::filesystem::temp_directory_path() / ("aio_http_file_" + std::to_string(::getpid()) + ".txt");
    std::ofstream(path, std::ios::binary) << content;
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() { std::filesystem::remove(path); }
};

TEST(HttpServerFeatures, StreamResponseIsChunked) {
  aio::http::application app;
  app.router().add_get("/stream", [](request& req) -> coro<response> {
    aio::http::stream_response resp;
    resp.set_content_type("text/plain");
    co_await resp.prepare(req);
    for (int i = 0; i < 3; ++i) co_await resp.write("tick" + std::to_string(i) + "\n");
    co_await resp.write_eof();
    co_return resp;
  });
  app.router().add_get("/sized", [](request& req) -> coro<response> {
    aio::http::stream_response resp(201);
    resp.set_content_length(6);
    co_await resp.prepare(req);
    co_await resp.write("abc");
    co_await resp.write_eof("def");
    co_return resp;
  });
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.headers.get("Transfer-Encoding", ""), "chunked");
        EXPECT_EQ(r.body, "tick0\ntick1\ntick2\n");
        auto r2 = co_await c.request("GET /sized HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r2.status, 201);
        EXPECT_EQ(r2.headers.get("Content-Length", ""), "6");
        EXPECT_EQ(r2.body, "abcdef");
        auto r3 = co_await c.request("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n", true);
        EXPECT_EQ(r3.status, 200);
        EXPECT_EQ(r3.body, "");
        auto r4 = co_await c.request("GET /sized HTTP/1.1\r\nHost: x\r\n\r\n");  // still keep-alive
        EXPECT_EQ(r4.body, "abcdef");
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerFeatures, StreamResponseToAVanishedClientEnds) {
  aio::http::application app;
  aio::event done;
  app.router().add_get("/forever", [&done](request& req) -> coro<response> {
    aio::http::stream_response resp;
    co_await resp.prepare(req);
    const std::string piece(64 * 1024, 'x');
    std::exception_ptr failure;
    try {
      for (;;) co_await resp.write(piece);
    } catch (...) {
      failure = std::current_exception();
    }
    done.set();
    std::rethrow_exception(failure);
  });
  testing::internal::CaptureStderr();
  aio_test::run(
      [](aio::http::application& app, aio::event& done) -> coro<> {
        auto srv =
            co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .keepalive_timeout = 400ms});
        {
          auto c = co_await raw_client::connect(srv.port());
          c.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
          (void)co_await c.reader().read(1000);
          c.writer().abort();
        }
        co_await aio::wait_for(done.wait(), 10s);
        while (srv.connection_count() != 0) co_await aio::sleep(10ms);
        co_await srv.shutdown();
      }(app, done),
      k_real);
  (void)testing::internal::GetCapturedStderr();
}

TEST(HttpServerFeatures, FileResponseRangesAndConditionals) {
  temp_file f("0123456789abcdefghij");
  aio::http::application app;
  app.router().add_get("/file",
                       [&f](request&) -> coro<response> { co_return aio::http::file_response(f.path); });
  app.router().add_get("/missing", [](request&) -> coro<response> {
    co_return aio::http::file_response("/nonexistent/aio/file.txt");
  });
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "0123456789abcdefghij");
        EXPECT_EQ(r.headers.get("Content-Type", ""), "text/plain; charset=utf-8");
        EXPECT_EQ(r.headers.get("Accept-Ranges", ""), "bytes");
        const std::string etag(r.headers.get("ETag", ""));
        const std::string lm(r.headers.get("Last-Modified", ""));
        EXPECT_FALSE(etag.empty());
        EXPECT_FALSE(lm.empty());
        auto r2 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=2-5\r\n\r\n");
        EXPECT_EQ(r2.status, 206);
        EXPECT_EQ(r2.body, "2345");
        EXPECT_EQ(r2.headers.get("Content-Range", ""), "bytes 2-5/20");
        auto r3 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=-3\r\n\r\n");
        EXPECT_EQ(r3.body, "hij");
        auto r4 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=15-\r\n\r\n");
        EXPECT_EQ(r4.body, "fghij");
        auto r5 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=50-60\r\n\r\n");
        EXPECT_EQ(r5.status, 416);
        EXPECT_EQ(r5.headers.get("Content-Range", ""), "bytes */20");
        auto r6 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
        EXPECT_EQ(r6.status, 304);
        EXPECT_EQ(r6.body, "");
        auto r7 =
            co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: " + lm + "\r\n\r\n");
        EXPECT_EQ(r7.status, 304);
        auto r8 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"other\"\r\n\r\n");
        EXPECT_EQ(r8.status, 200);
        auto r9 = co_await c.request(
            "GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: \"stale\"\r\n\r\n");
        EXPECT_EQ(r9.status, 200);  // If-Range does not match: the whole file
        // Our ETag is weak, and If-Range compares strongly (RFC 9110 13.1.5): even our own tag does
        // not make a partial response; our Last-Modified date does.
        auto r9w = co_await c.request(
            "GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: " + etag + "\r\n\r\n");
        EXPECT_EQ(r9w.status, 200);
        EXPECT_EQ(r9w.body.size(), 20U);
        auto r9d = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: " + lm +
                                      "\r\n\r\n");
        EXPECT_EQ(r9d.status, 206);
        EXPECT_EQ(r9d.body.size(), 2U);
        auto r10 = co_await c.request("HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n", true);
        EXPECT_EQ(r10.headers.get("Content-Length", ""), "20");
        EXPECT_EQ(r10.body, "");
        auto r11 = co_await c.request("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r11.status, 404);
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerFeatures, MiddlewaresRunInOrderAroundHandlersAnd404) {
  aio::http::application app;
  std::vector<std::string> trace;
  app.add_middleware([&trace](request& req, aio::http::next_handler next) -> coro<response> {
    trace.push_back("outer " + std::string(req.path()));
    response r = co_await next(req);
    r.headers().add("X-Outer", "1");
    co_return r;
  });
  app.add_middleware([&trace](request& req, aio::http::next_handler next) -> coro<response> {
    trace.push_back("inner");
    if (req.path() == "/blocked") throw aio::http::http_error(403);
    co_return co_await next(req);
  });
  app.router().add_get("/", [&trace](request&) -> coro<response> {
    trace.push_back("handler");
    co_return aio::http::text_response("hi");
  });
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.body, "hi");
        EXPECT_EQ(r.headers.get("X-Outer", ""), "1");
        auto r2 = co_await c.request("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r2.status, 404);
        EXPECT_EQ(r2.headers.get("X-Outer", ""), "1");
        auto r3 = co_await c.request("GET /blocked HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r3.status, 403);
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
  EXPECT_EQ(trace, (std::vector<std::string>{"outer /", "inner", "handler", "outer /nope", "inner",
                                             "outer /blocked", "inner"}));
}

TEST(HttpServerFeatures, StartupAndCleanupHooks) {
  aio::http::application app;
  std::vector<std::string> trace;
  app.on_startup().push_back([&trace](aio::http::application&) -> coro<> {
    trace.push_back("startup");
    co_return;
  });
  app.on_cleanup().push_back([&trace](aio::http::application&) -> coro<> {
    trace.push_back("cleanup");
    co_return;
  });
  app.router().add_get("/", [&trace](request&) -> coro<response> {
    trace.push_back("request");
    co_return response{};
  });
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        EXPECT_EQ((co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).status, 200);
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
  EXPECT_EQ(trace, (std::vector<std::string>{"startup", "request", "cleanup"}));
}

TEST(HttpServerFeatures, AccessLogOnStderr) {
  aio::http::application app;
  app.router().add_get("/logged",
                       [](request&) -> coro<response> { co_return aio::http::text_response("x"); });
  testing::internal::CaptureStderr();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .access_log = true});
        auto c = co_await raw_client::connect(srv.port());
        (void)co_await c.request("GET /logged?q=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: probe/1\r\n\r\n");
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("127.0.0.1"), std::string::npos) << log;
  EXPECT_NE(log.find("\"GET /logged?q=1 HTTP/1.1\" 200 1 \"probe/1\""), std::string::npos) << log;
}

TEST(HttpServerFeatures, WebSocketEcho) {
  aio::http::application app;
  app.router().add_get("/ws", [](request& req) -> coro<response> {
    aio::http::websocket_response ws({}, {"chat"});
    co_await ws.prepare(req);
    while (auto msg = co_await ws.next()) {
      if (msg->type == aio::http::ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
    }
    co_return ws;
  });
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        {  // not an upgrade: 400
          auto c = co_await raw_client::connect(srv.port());
          auto r = co_await c.request("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
          EXPECT_EQ(r.status, 400);
          c.close();
        }
        auto c = co_await raw_client::connect(srv.port());
        const std::string key = aio::http::ws_generate_key();
        c.send(
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
            "Upgrade\r\nSec-WebSocket-Key: " +
            key + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n");
        std::string head = co_await c.reader().readuntil("\r\n\r\n");
        EXPECT_TRUE(head.starts_with("HTTP/1.1 101 Switching Protocols\r\n")) << head;
        EXPECT_NE(head.find("Sec-WebSocket-Accept: " + aio::http::ws_accept_key(key)), std::string::npos);
        EXPECT_NE(head.find("Sec-WebSocket-Protocol: chat"), std::string::npos);
        aio::http::websocket_connection ws(c.reader(), c.writer(), aio::http::ws_role::client);
        co_await ws.send_str("hello");
        auto msg = co_await ws.receive();
        EXPECT_EQ(msg.type, aio::http::ws_msg_type::text);
        EXPECT_EQ(msg.data, "echo: hello");
        EXPECT_TRUE(co_await ws.close());
        EXPECT_EQ(ws.close_code(), aio::http::ws_close_code::normal);
        co_await srv.shutdown();
      }(app),
      k_real);
}

}  // namespace
