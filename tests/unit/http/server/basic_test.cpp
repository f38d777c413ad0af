// The server over real sockets: routing, bodies, keep-alive, pipelining, HEAD, 404/405.

#include <gtest/gtest.h>

#include <string>

#include "aio/http/server.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;

aio::http::application make_app() {
  aio::http::application app;
  app.router().add_get(
      "/", [](request&) -> coro<response> { co_return aio::http::text_response("Hello, World!"); });
  app.router().add_get("/users/{id}", [](request& req) -> coro<response> {
    co_return aio::http::text_response("user " + std::string(req.match_info("id")));
  });
  app.router().add_get("/static/{tail:.*}", [](request& req) -> coro<response> {
    co_return aio::http::text_response("tail=" + std::string(req.match_info("tail")));
  });
  app.router().add_post("/echo", [](request& req) -> coro<response> {
    std::string body = co_await req.text();
    co_return aio::http::text_response(body);
  });
  app.router().add_post("/json", [](request& req) -> coro<response> {
    nlohmann::json j = co_await req.json();
    j["seen"] = true;
    co_return aio::http::json_response(j);
  });
  app.router().add_get("/query", [](request& req) -> coro<response> {
    co_return aio::http::text_response(std::string(req.query("a").value_or("none")) + "|" +
                                       std::string(req.path()));
  });
  app.router().add_post("/form", [](request& req) -> coro<response> {
    aio::http::form f = co_await req.post();
    std::string out(f.get("name").value_or("?"));
    for (const auto& file : f.files) out += "|" + file.filename.value_or("") + ":" + file.body;
    co_return aio::http::text_response(out);
  });
  app.router().add_route("*", "/any", [](request& req) -> coro<response> {
    co_return aio::http::text_response(std::string(req.method()));
  });
  app.router().add_get("/throw", [](request&) -> coro<response> {
    throw std::runtime_error("secret detail");
    co_return response{};
  });
  app.router().add_get("/teapot", [](request&) -> coro<response> {
    throw aio::http::http_error(418, "short and stout");
    co_return response{};
  });
  return app;
}

TEST(HttpServer, GetKeepAliveAndRouting) {
  auto app = make_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r1 = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r1.status, 200);
        EXPECT_EQ(r1.body, "Hello, World!");
        EXPECT_EQ(r1.headers.get("Content-Type", ""), "text/plain; charset=utf-8");
        EXPECT_EQ(r1.headers.get("Server", ""), "aio");
        EXPECT_TRUE(r1.headers.contains("Date"));
        auto r2 = co_await c.request("GET /users/42 HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r2.body, "user 42");
        auto r3 = co_await c.request("GET /static/a/b%20c.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r3.body, "tail=a/b c.txt");
        auto r4 = co_await c.request("GET /query?a=1+2&b HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r4.body, "1 2|/query");
        auto r5 = co_await c.request("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r5.status, 404);
        auto r6 = co_await c.request("DELETE /users/1 HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r6.status, 405);
        EXPECT_EQ(r6.headers.get("Allow", ""), "GET, HEAD");
        auto r7 = co_await c.request("PATCH /any HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r7.body, "PATCH");
        EXPECT_EQ(srv.connection_count(), 1U);  // all on one connection
        c.close();
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
}

TEST(HttpServer, Bodies) {
  auto app = make_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r1 = co_await c.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        EXPECT_EQ(r1.body, "hello");
        auto r2 = co_await c.request(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
            "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        EXPECT_EQ(r2.body, "abcde");
        auto r3 = co_await c.request(
            "POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            "7\r\n\r\n{\"a\":1}");
        EXPECT_EQ(r3.headers.get("Content-Type", ""), "application/json");
        EXPECT_EQ(nlohmann::json::parse(r3.body), (nlohmann::json{{"a", 1}, {"seen", true}}));
        auto r4 = co_await c.request("POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{x}");
        EXPECT_EQ(r4.status, 400);
        auto r5 = co_await c.request(
            "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 10\r\n\r\nname=a%20b");
        EXPECT_EQ(r5.body, "a b");
        const std::string mp =
            "--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbob\r\n"
            "--XX\r\nContent-Disposition: form-data; name=\"f\"; "
            "filename=\"a.txt\"\r\n\r\nfile!\r\n--XX--\r\n";
        auto r6 = co_await c.request(
            "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
            "Content-Length: " +
            std::to_string(mp.size()) + "\r\n\r\n" + mp);
        EXPECT_EQ(r6.body, "bob|a.txt:file!");
        // A body the handler does not read is skipped; the connection stays usable.
        auto r7 = co_await c.request("POST /any HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz");
        EXPECT_EQ(r7.body, "POST");
        auto r8 = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r8.body, "Hello, World!");
        c.close();
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
}

TEST(HttpServer, PipelinedRequestsAnsweredInOrder) {
  auto app = make_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        c.send(
            "GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
            "2\r\n\r\nhi"
            "GET /users/3 HTTP/1.1\r\nHost: x\r\n\r\n");
        auto a = co_await c.response();
        auto b = co_await c.response();
        auto d = co_await c.response();
        EXPECT_EQ(a.body, "user 1");
        EXPECT_EQ(b.body, "hi");
        EXPECT_EQ(d.body, "user 3");
        c.close();
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
}

TEST(HttpServer, HeadHasNoBody) {
  auto app = make_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", /*head=*/true);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.headers.get("Content-Length", ""), "13");
        EXPECT_EQ(r.body, "");
        auto r2 = co_await c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r2.body, "Hello, World!");
        c.close();
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
}

TEST(HttpServer, HandlerExceptionIs500WithoutDetail) {
  auto app = make_app();
  testing::internal::CaptureStderr();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.status, 500);
        EXPECT_EQ(r.body.find("secret"), std::string::npos);
        auto t = co_await c.request("GET /teapot HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(t.status, 418);
        EXPECT_EQ(t.body, "short and stout");
        c.close();
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("secret detail"), std::string::npos);
  EXPECT_NE(err.find("GET /throw"), std::string::npos);
}

TEST(HttpServer, Http10ClosesUnlessKeepAlive) {
  auto app = make_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        EXPECT_EQ(r.headers.get("Connection", ""), "keep-alive");
        auto r2 = co_await c.request("GET / HTTP/1.0\r\n\r\n");
        EXPECT_EQ(r2.headers.get("Connection", ""), "close");
        EXPECT_TRUE(co_await c.at_eof());
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
}

}  // namespace
