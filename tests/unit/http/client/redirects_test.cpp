// Redirects: following, method rewriting, history, limits, and credentials on a change of host.

#include <gtest/gtest.h>

#include <string>

#include "aio/aio.hpp"
#include "aio/http/client.hpp"
#include "client_test_server.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace http = aio::http;
using client_test::action;
using client_test::raw_request;
using client_test::response;

namespace {

using aio_test::k_real;

action redirect(int status, const std::string& to) {
  return action{response(status, "moved", "Location: " + to + "\r\n", "Redirect")};
}

std::string echo(const raw_request& r) {
  return r.method + " " + r.target + " body=" + r.body +
         " auth=" + std::string(r.headers.get("Authorization", "-"));
}

TEST(client_redirects, follows_and_keeps_history) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          if (r.target == "/a") return redirect(301, "/b");
          if (r.target == "/b") return redirect(302, "c?x=1");
          return action{response(200, echo(r))};
        });
        http::client_session session;
        auto resp = co_await session.get(srv.url("/a"));
        EXPECT_EQ(co_await resp.text(), "GET /c?x=1 body= auth=-");
        EXPECT_EQ(resp.history().size(), 2U);
        if (resp.history().size() == 2) {
          EXPECT_EQ(resp.history()[0].status(), 301);
          EXPECT_EQ(resp.history()[1].status(), 302);
        }
        EXPECT_EQ(resp.url().path(), "/c");
        EXPECT_EQ(srv.stats->connections, 1);  // redirect bodies were read: one connection throughout
        auto no = co_await session.get(srv.url("/a"), {.allow_redirects = false});
        EXPECT_EQ(no.status(), 301);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_redirects, method_rewriting) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          if (r.target.starts_with("/r/")) return redirect(std::stoi(r.target.substr(3)), "/done");
          return action{response(200, echo(r))};
        });
        http::client_session session;
        const auto post = [&](int status) -> aio::coro<std::string> {
          auto resp = co_await session.post(srv.url("/r/" + std::to_string(status)), {.body = "payload"});
          co_return co_await resp.text();
        };
        EXPECT_EQ(co_await post(301), "GET /done body= auth=-");
        EXPECT_EQ(co_await post(302), "GET /done body= auth=-");
        EXPECT_EQ(co_await post(303), "GET /done body= auth=-");
        EXPECT_EQ(co_await post(307), "POST /done body=payload auth=-");
        EXPECT_EQ(co_await post(308), "POST /done body=payload auth=-");
        auto put = co_await session.put(srv.url("/r/303"), {.body = "x"});
        EXPECT_EQ(co_await put.text(), "GET /done body= auth=-");
        auto put2 = co_await session.put(srv.url("/r/301"), {.body = "x"});
        EXPECT_EQ(co_await put2.text(), "PUT /done body=x auth=-");
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_redirects, too_many) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) {
          const int n = std::stoi(r.target.substr(1));
          return n == 0 ? action{response(200, "end")} : redirect(302, "/" + std::to_string(n - 1));
        });
        http::client_session session;
        auto ok = co_await session.get(srv.url("/10"));
        EXPECT_EQ(co_await ok.text(), "end");
        EXPECT_EQ(ok.history().size(), 10U);
        bool thrown = false;
        try {
          co_await session.get(srv.url("/11"));
        } catch (const http::too_many_redirects&) {
          thrown = true;
        }
        EXPECT_TRUE(thrown);
        auto three = co_await session.get(srv.url("/3"), {.max_redirects = 3});
        EXPECT_EQ(three.history().size(), 3U);
        bool thrown2 = false;
        try {
          co_await session.get(srv.url("/3"), {.max_redirects = 2});
        } catch (const http::too_many_redirects&) {
          thrown2 = true;
        }
        EXPECT_TRUE(thrown2);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_redirects, authorization_dropped_when_the_host_changes) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request& r) -> action {
          const std::string port(r.headers.get("Host", "").substr(r.headers.get("Host", "").find(':')));
          if (r.target == "/same") return redirect(302, "/final");
          if (r.target == "/other") return redirect(302, "http://localhost" + port + "/final");
          return action{response(200, echo(r))};
        });
        http::client_session session;
        http::headers h{{"Authorization", "Bearer t"}};
        auto same = co_await session.get(srv.url("/same"), {.headers = h});
        EXPECT_EQ(co_await same.text(), "GET /final body= auth=Bearer t");
        auto other = co_await session.get(srv.url("/other"), {.headers = h});
        EXPECT_EQ(co_await other.text(), "GET /final body= auth=-");
        auto other2 = co_await session.get(srv.url("/other"), {.auth = http::basic_auth{"u", "p"}});
        EXPECT_EQ(co_await other2.text(), "GET /final body= auth=-");
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

}  // namespace
