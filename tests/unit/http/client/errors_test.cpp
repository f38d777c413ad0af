// client_session failure paths: connection and DNS failures, servers that hang up or answer
// garbage, oversized heads, and each timeout naming itself.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

/// A port nothing listens on (bound then closed).
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// Runs `get(url)` and returns the message of the expected error type, or "" if another outcome.
template <class E>
aio::coro<std::string> expect_error(http::client_session& s, std::string url, http::request_options o = {}) {
  std::string what;
  try {
    auto r = co_await s.get(url, o);
    co_await r.read();
    what = "<no error>";
  } catch (const E& e) {
    what = e.what();
  } catch (const std::exception& e) {
    what = std::string("<other error> ") + e.what();
  }
  co_return what;
}

TEST(client_errors, refused_connection) {
  aio_test::run(
      []() -> aio::coro<> {
        http::client_session session;
        const std::uint16_t port = closed_port();
        const std::string msg = co_await expect_error<http::client_connector_error>(
            session, "http://127.0.0.1:" + std::to_string(port) + "/");
        EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << msg;
        co_await session.close();
      }(),
      k_real);
}

TEST(client_errors, dns_failure) {
  aio_test::run(
      []() -> aio::coro<> {
        http::client_session session;
        const std::string msg =
            co_await expect_error<http::client_connector_error>(session, "http://no-such-host.invalid/");
        EXPECT_NE(msg.find("no-such-host.invalid"), std::string::npos) << msg;
        co_await session.close();
      }(),
      k_real);
}

TEST(client_errors, server_closing_mid_body) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part", true};
        });
        http::client_session session;
        const std::string msg = co_await expect_error<http::server_disconnected_error>(session, srv.url());
        EXPECT_NE(msg.find("end of the body"), std::string::npos) << msg;
        EXPECT_EQ(session.active_connections(), 0U);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_errors, server_closing_before_answering) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) { return action{"", true}; });
        http::client_session session;
        const std::string msg = co_await expect_error<http::server_disconnected_error>(session, srv.url());
        EXPECT_NE(msg.find("response head"), std::string::npos) << msg;
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_errors, malformed_response) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{"HTTP/1.1 abc nonsense\r\n\r\n", true};
        });
        http::client_session session;
        const std::string msg = co_await expect_error<http::bad_response_error>(session, srv.url());
        EXPECT_NE(msg.find("malformed response"), std::string::npos) << msg;
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_errors, malformed_chunked_body) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n", true};
        });
        http::client_session session;
        const std::string msg = co_await expect_error<http::client_payload_error>(session, srv.url());
        EXPECT_NE(msg.find("malformed"), std::string::npos) << msg;
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_errors, oversized_response_headers) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{response(200, "x", "X-Big: " + std::string(10000, 'a') + "\r\n"), true};
        });
        http::client_session session;
        const std::string msg = co_await expect_error<http::bad_response_error>(session, srv.url());
        EXPECT_NE(msg.find("malformed response"), std::string::npos) << msg;
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_errors, sock_read_timeout_names_itself) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) { return action{"", false, true}; });
        http::client_session session;
        http::client_timeout to;
        to.sock_read = 50ms;
        http::timeout_kind kind = http::timeout_kind::total;
        std::string msg;
        try {
          co_await session.get(srv.url(), {.timeout = to});
        } catch (const http::client_timeout_error& e) {
          kind = e.kind();
          msg = e.what();
        }
        EXPECT_EQ(kind, http::timeout_kind::sock_read);
        EXPECT_NE(msg.find("sock_read"), std::string::npos) << msg;
        EXPECT_EQ(session.active_connections(), 0U);
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_errors, total_timeout_is_an_aio_timeout_error) {
  aio_test::run(
      []() -> aio::coro<> {
        auto srv = co_await client_test::start([](const raw_request&) {
          return action{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", false, true};
        });
        http::client_session session({.timeout = {.total = 100ms}});
        std::string msg;
        auto resp = co_await session.get(srv.url());  // the head arrives in time; the body never ends
        try {
          co_await resp.read();
        } catch (const aio::timeout_error& e) {
          msg = e.what();
        }
        EXPECT_NE(msg.find("total timeout"), std::string::npos) << msg;
        EXPECT_TRUE(resp.closed());
        co_await session.close();
        co_await srv.stop();
      }(),
      k_real);
}

TEST(client_errors, closed_session_refuses_requests) {
  aio_test::run(
      []() -> aio::coro<> {
        http::client_session session;
        co_await session.close();
        bool refused = false;
        try {
          co_await session.get("http://127.0.0.1:1/");
        } catch (const std::runtime_error&) {
          refused = true;
        }
        EXPECT_TRUE(refused);
      }(),
      k_real);
}

TEST(client_errors, invalid_urls) {
  http::client_session session;
  EXPECT_THROW((void)session.get("ftp://example.org/"), http::invalid_url);
  EXPECT_THROW((void)session.get("not a url"), http::invalid_url);
}

}  // namespace
