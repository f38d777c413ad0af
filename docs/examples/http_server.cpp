// docs/guide/http_server.md: the compression block, served on loopback and fetched by aio's client
// (aio_test::run checks that nothing leaked). The guide's program is http_server_program.cpp.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <string>

#include "test_support.hpp"

namespace {

using aio::http::request;
using aio::http::response;

const std::string k_report(20000, 'r');  // NOLINT(cert-err58-cpp): a test constant

std::string make_report() { return k_report; }

aio::coro<response> report(request&) {
  response resp = aio::http::text_response(make_report());
  resp.enable_compression();  // gzip or deflate, as the client's Accept-Encoding allows
  co_return resp;
}

struct fetched {
  std::string encoding;
  std::string body;
};

aio::coro<fetched> fetch(std::string accept_encoding) {
  aio::http::application app;
  app.router().add_get("/report", report);
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  aio::http::client_session session;
  aio::http::headers hdrs;
  hdrs.set("Accept-Encoding", accept_encoding);
  auto resp =
      co_await session.get("http://127.0.0.1:" + std::to_string(srv.port()) + "/report", {.headers = hdrs});
  fetched f;  // filled member by member: g++ 12 miscompiles a braced aggregate holding a co_await
  f.encoding = resp.headers().get("Content-Encoding", "");
  f.body = co_await resp.text();
  co_await session.close();
  co_await srv.shutdown();
  co_return f;
}

TEST(DocHttpServer, EnableCompression) {
  const fetched gz = aio_test::run(fetch("gzip, deflate"), {.clock = aio::real_clock});
  EXPECT_EQ(gz.encoding, "gzip");  // gzip on a tie
  EXPECT_EQ(gz.body, k_report);    // the client decompressed it
  const fetched deflated = aio_test::run(fetch("deflate"), {.clock = aio::real_clock});
  EXPECT_EQ(deflated.encoding, "deflate");
  const fetched plain = aio_test::run(fetch("identity"), {.clock = aio::real_clock});
  EXPECT_EQ(plain.encoding, "");
  EXPECT_EQ(plain.body, k_report);
}

}  // namespace
