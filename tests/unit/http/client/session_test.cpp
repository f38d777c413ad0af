// client_session against a raw-text test server: request building, response reading, the pool
// (reuse, Connection: close, half-read responses, limits), and the error paths.

#include "aio/http/client.hpp"

#include <gtest/gtest.h>

#include <string>

#include "../../../../src/http/compression.hpp"
#include "aio/aio.hpp"
#include "client_test_server.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace http = aio::http;
using client_test::action;
using client_test::raw_request;
using client_test::response;

namespace {

using aio_test::k_real;

action ok_text(std::string body) { return {response(200, body, "Content-Type: text/plain\r\n")}; }

TEST(client_session, get_reads_status_headers_and_text) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{response(200, "hello", "Content-Type: text/plain; charset=utf-8\r\nX-A: 1\r\n")};
        });
        http::client_session session;
        auto resp = co_await session.get(srv.url("/path"));
        EXPECT_EQ(resp.status(), 200);
        EXPECT_EQ(resp.reason(), "OK");
        EXPECT_EQ(resp.headers().get("x-a", ""), "1");
        EXPECT_EQ(resp.content_type(), "text/plain");
        EXPECT_EQ(co_await resp.text(), "hello");
        EXPECT_EQ(co_await resp.read(), "hello");  // kept
        const raw_request& seen = srv.stats->seen.at(0);
        EXPECT_EQ(seen.method, "GET");
        EXPECT_EQ(seen.target, "/path");
        EXPECT_EQ(seen.headers.get("Host", ""), "127.0.0.1:" + std::to_string(srv.srv.port()));
        EXPECT_EQ(seen.headers.get("Accept-Encoding", ""), "gzip, deflate");
        EXPECT_TRUE(seen.headers.contains("User-Agent"));
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, params_and_headers_merge) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) { return ok_text("x"); });
        http::client_session_options so;
        so.headers.add("X-Session", "s");
        so.headers.add("X-Both", "session");
        http::client_session session(so);
        http::query_params q{{"a b", "1&2"}, {"c", "\xc3\xa9"}};
        http::headers h{{"X-Both", "request"}};
        auto resp = co_await session.get(srv.url("/p?x=0"), {.params = q, .headers = h});
        co_await resp.read();
        const raw_request& seen = srv.stats->seen.at(0);
        EXPECT_EQ(seen.target, "/p?x=0&a+b=1%262&c=%C3%A9");
        EXPECT_EQ(seen.headers.get("X-Session", ""), "s");
        EXPECT_EQ(seen.headers.get_all("X-Both").size(), 1U);
        EXPECT_EQ(seen.headers.get("X-Both", ""), "request");
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, bodies_json_form_raw_and_chunked) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          nlohmann::json j{{"method", r.method},
                           {"body", r.body},
                           {"type", std::string(r.headers.get("Content-Type", ""))},
                           {"te", std::string(r.headers.get("Transfer-Encoding", ""))}};
          return action{response(200, j.dump(), "Content-Type: application/json\r\n")};
        });
        http::client_session session;
        nlohmann::json doc{{"k", "v"}};
        auto r1 = co_await session.post(srv.url(), {.json = doc});
        auto j1 = co_await r1.json();
        EXPECT_EQ(j1["body"], "{\"k\":\"v\"}");
        EXPECT_EQ(j1["type"], "application/json");
        http::query_params form{{"name", "a b"}, {"x", "="}};
        auto r2 = co_await session.put(srv.url(), {.data = form});
        auto j2 = co_await r2.json();
        EXPECT_EQ(j2["method"], "PUT");
        EXPECT_EQ(j2["body"], "name=a+b&x=%3D");
        EXPECT_EQ(j2["type"], "application/x-www-form-urlencoded");
        auto r3 = co_await session.patch(srv.url(), {.body = "raw bytes", .chunked = true});
        auto j3 = co_await r3.json();
        EXPECT_EQ(j3["body"], "raw bytes");
        EXPECT_EQ(j3["te"], "chunked");
        std::string big(100000, 'z');
        auto r4 = co_await session.post(srv.url(), {.body = big});
        EXPECT_EQ((co_await r4.json())["body"].get<std::string>().size(), big.size());
        bool rejected = false;
        try {
          co_await session.post(srv.url(), {.json = doc, .body = "x"});
        } catch (const std::invalid_argument&) {
          rejected = true;
        }
        EXPECT_TRUE(rejected);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, keep_alive_reuses_one_connection) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) { return ok_text("ok"); });
        http::client_session session;
        for (int i = 0; i < 5; ++i) {
          auto resp = co_await session.get(srv.url());
          EXPECT_EQ(co_await resp.text(), "ok");
        }
        EXPECT_EQ(srv.stats->connections, 1);
        EXPECT_EQ(session.idle_connections(), 1U);
        EXPECT_EQ(session.active_connections(), 0U);
        co_await session.close();
        EXPECT_EQ(session.idle_connections(), 0U);
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, connection_close_is_honoured) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{response(200, "bye", "Connection: close\r\n"), true};
        });
        http::client_session session;
        for (int i = 0; i < 3; ++i) {
          auto resp = co_await session.get(srv.url());
          EXPECT_EQ(co_await resp.text(), "bye");
        }
        EXPECT_EQ(srv.stats->connections, 3);
        EXPECT_EQ(session.idle_connections(), 0U);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, a_half_read_response_closes_its_connection) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          if (r.target == "/big") {
            // Announces more than it sends now: the body cannot be complete when the response is dropped.
            return action{"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + std::string(10, 'x'), false,
                          true};
          }
          return ok_text("small");
        });
        http::client_session session;
        {
          auto resp = co_await session.get(srv.url("/big"));
          auto chunk = co_await resp.content().read_chunk(4);
          EXPECT_EQ(chunk, "xxxx");
        }  // dropped half-read
        EXPECT_EQ(session.idle_connections(), 0U);
        EXPECT_EQ(session.active_connections(), 0U);
        auto resp = co_await session.get(srv.url("/small"));
        EXPECT_EQ(co_await resp.text(), "small");
        EXPECT_EQ(srv.stats->connections, 2);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, cancelling_a_request_closes_the_connection) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          if (r.target == "/hang") return action{"", false, true};
          return ok_text("fine");
        });
        http::client_session session;
        auto t = aio::create_task(session.get(srv.url("/hang")));
        while (srv.stats->requests == 0) co_await aio::sleep(1ms);
        t.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(t);
        EXPECT_TRUE(cancelled);
        EXPECT_EQ(session.active_connections(), 0U);
        EXPECT_EQ(session.idle_connections(), 0U);
        auto resp = co_await session.get(srv.url("/ok"));
        EXPECT_EQ(co_await resp.text(), "fine");
        EXPECT_EQ(srv.stats->connections, 2);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, limit_per_host_bounds_concurrent_connections) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) { return ok_text("x"); });
        http::client_session session({.limit = 100, .limit_per_host = 2});
        auto one = [](http::client_session& s, std::string u) -> aio::coro<std::string> {
          auto r = co_await s.get(u);
          co_await aio::sleep(5ms);  // hold the connection a little while others queue
          co_return co_await r.text();
        };
        std::vector<aio::coro<std::string>> all;
        for (int i = 0; i < 8; ++i) all.push_back(one(session, srv.url()));
        auto results = co_await aio::gather(std::move(all));
        EXPECT_EQ(results.size(), 8U);
        EXPECT_LE(srv.stats->max_open, 2);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, total_limit_bounds_concurrent_connections) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) { return ok_text("x"); });
        http::client_session session({.limit = 1});
        auto one = [](http::client_session& s, std::string u) -> aio::coro<std::string> {
          auto r = co_await s.get(u);
          co_await aio::sleep(2ms);
          co_return co_await r.text();
        };
        std::vector<aio::coro<std::string>> all;
        for (int i = 0; i < 4; ++i) all.push_back(one(session, srv.url()));
        co_await aio::gather(std::move(all));
        EXPECT_EQ(srv.stats->max_open, 1);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, streaming_chunked_response) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"};
        });
        http::client_session session;
        auto resp = co_await session.get(srv.url());
        std::string got;
        auto it = resp.content().iter_chunked(3);
        while (auto chunk = co_await it.next()) {
          EXPECT_LE(chunk->size(), 3U);
          got += *chunk;
        }
        EXPECT_EQ(got, "hello world");
        EXPECT_TRUE(resp.content().at_eof());
        EXPECT_EQ(session.idle_connections(), 1U);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, gzip_and_deflate_are_decoded) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          const bool gz = r.target == "/gz";
          const std::string body = http::detail::compress(
              std::string(5000, 'a') + "end",
              gz ? http::detail::content_coding::gzip : http::detail::content_coding::deflate);
          return action{
              response(200, body, gz ? "Content-Encoding: gzip\r\n" : "Content-Encoding: deflate\r\n")};
        });
        http::client_session session;
        auto r1 = co_await session.get(srv.url("/gz"));
        EXPECT_EQ(co_await r1.text(), std::string(5000, 'a') + "end");
        auto r2 = co_await session.get(srv.url("/deflate"));
        EXPECT_EQ(co_await r2.text(), std::string(5000, 'a') + "end");
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, text_uses_the_charset) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{response(200, "caf\xe9", "Content-Type: text/plain; charset=ISO-8859-1\r\n")};
        });
        http::client_session session;
        auto resp = co_await session.get(srv.url());
        EXPECT_EQ(co_await resp.text(), "caf\xc3\xa9");
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, head_and_no_content_responses_have_no_body) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          if (r.method == "HEAD") return action{"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"};
          return action{"HTTP/1.1 204 No Content\r\n\r\n"};
        });
        http::client_session session;
        auto r1 = co_await session.head(srv.url());
        EXPECT_EQ(r1.content_length(), 1234U);
        EXPECT_EQ(co_await r1.read(), "");
        auto r2 = co_await session.delete_(srv.url());
        EXPECT_EQ(r2.status(), 204);
        EXPECT_EQ(co_await r2.read(), "");
        auto r3 = co_await session.options(srv.url());
        EXPECT_EQ(r3.status(), 204);
        EXPECT_EQ(srv.stats->connections, 1);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, raise_for_status_carries_the_status) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start(
            [](const raw_request&) { return action{response(404, "nope", "", "Not Found")}; });
        http::client_session session;
        auto resp = co_await session.get(srv.url("/missing"));
        EXPECT_FALSE(resp.ok());
        int status = 0;
        std::string message;
        try {
          resp.raise_for_status();
        } catch (const http::client_response_error& e) {
          status = e.status();
          message = e.message();
        }
        EXPECT_EQ(status, 404);
        EXPECT_EQ(message, "Not Found");
        bool thrown = false;
        try {
          co_await session.get(srv.url("/missing"), {.raise_for_status = true});
        } catch (const http::client_response_error& e) {
          thrown = e.status() == 404;
        }
        EXPECT_TRUE(thrown);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, json_checks_the_content_type) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) { return ok_text("{\"a\": 1}"); });
        http::client_session session;
        auto resp = co_await session.get(srv.url());
        bool thrown = false;
        try {
          co_await resp.json();
        } catch (const http::content_type_error&) {
          thrown = true;
        }
        EXPECT_TRUE(thrown);
        EXPECT_EQ((co_await resp.json(false))["a"], 1);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, cookies_are_stored_and_sent_back) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          if (r.target == "/login") {
            return action{
                response(200, "",
                         "Set-Cookie: sid=abc; Path=/; HttpOnly\r\nSet-Cookie: only=x; Path=/only\r\n"
                         "Set-Cookie: gone=1; Max-Age=0\r\nSet-Cookie: sec=1; Secure\r\n")};
          }
          return ok_text(std::string(r.headers.get("Cookie", "")));
        });
        http::client_session session({.unsafe_cookies = true});  // 127.0.0.1 is an IP address
        co_await (co_await session.get(srv.url("/login"))).read();
        auto r1 = co_await session.get(srv.url("/other"));
        EXPECT_EQ(co_await r1.text(), "sid=abc");
        auto r2 = co_await session.get(srv.url("/only/x"));
        EXPECT_EQ(co_await r2.text(), "only=x; sid=abc");
        http::query_params extra{{"extra", "1"}};
        auto r3 = co_await session.get(srv.url("/"), {.cookies = extra});
        EXPECT_EQ(co_await r3.text(), "sid=abc; extra=1");
        EXPECT_EQ(session.cookie_jar().size(), 3U);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_session, basic_auth_from_session_request_and_url) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start(
            [](const raw_request& r) { return ok_text(std::string(r.headers.get("Authorization", "-"))); });
        http::client_session session({.auth = http::basic_auth{"user", "pass"}});
        auto r1 = co_await session.get(srv.url());
        EXPECT_EQ(co_await r1.text(), "Basic dXNlcjpwYXNz");
        auto r2 = co_await session.get(srv.url(), {.auth = http::basic_auth{"Aladdin", "open sesame"}});
        EXPECT_EQ(co_await r2.text(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        http::client_session plain;
        auto r3 = co_await plain.get("http://a:b@127.0.0.1:" + std::to_string(srv.srv.port()) + "/");
        EXPECT_EQ(co_await r3.text(), "Basic YTpi");
        co_await plain.close();
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

}  // namespace
