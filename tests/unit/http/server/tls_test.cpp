// HTTPS: the server over TLS (serve_options::ssl), checked with aio's TLS client and curl.

#include <gtest/gtest.h>

#include <string>

#include "../../tls/test_certs.hpp"
#include "aio/http/server.hpp"
#include "test_support.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;

const aio_test::test_certs& certs() {
  static const aio_test::test_certs c;
  return c;
}

TEST(HttpServerTls, ServesHttps) {
  if (!certs().ok) GTEST_SKIP() << "openssl could not make test certificates";
  aio::http::application app;
  app.router().add_get("/", [](request&) -> coro<response> { co_return aio::http::text_response("secure"); });
  aio_test::run(
      [](aio::http::application& app, const aio_test::test_certs* c) -> coro<> {
        const aio::ssl_context server_ctx = aio::ssl_context::server(c->server_cert, c->server_key);
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .ssl = &server_ctx});
        aio::ssl_context client_ctx = aio::ssl_context::client();
        client_ctx.load_verify_locations(c->ca);
        aio::connection_options co;  // set member by member (braced in place works too)
        co.ssl = client_ctx;
        co.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), co);
        w.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        const std::string all = co_await r.read();
        EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\n")) << all;
        EXPECT_TRUE(all.ends_with("\r\n\r\nsecure")) << all;
        w.close();
        co_await srv.shutdown();
      }(app, &certs()),
      {.clock = aio::real_clock});
}

}  // namespace
