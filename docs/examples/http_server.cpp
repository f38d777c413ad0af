// docs/guide/http_server.md: the compression and static-file blocks, served on loopback and fetched by
// aio's client or a raw socket (aio_test::run checks that nothing leaked). The guide's program is
// http_server_program.cpp.

#include <gtest/gtest.h>

#include <unistd.h>
#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <filesystem>
#include <fstream>
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
  auto resp = co_await session.get("http://127.0.0.1:" + std::to_string(srv.port()) + "/report",
                                   {.headers = {{"Accept-Encoding", accept_encoding}}});
  fetched f;  // member by member: a braced `fetched{..., co_await ...}` meets g++ 12's bug
              // (docs/design/compilers.md)
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

void add_assets(aio::http::application& app, const std::filesystem::path& www) {
  // GET /assets/css/site.css sends www/css/site.css; `..`, %2e%2e, %2f, %00, links out of www: 404
  app.router().add_static("/assets", www, {.show_index = false, .follow_symlinks = false});
}

/// Sends `target` as is on a raw socket and returns the whole response.
aio::coro<std::string> raw_get(std::uint16_t port, std::string target) {
  auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
  w.write("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  std::string all = co_await r.read();
  w.close();
  co_return all;
}

TEST(DocHttpServer, AddStatic) {
  const auto base = std::filesystem::temp_directory_path() / ("aio_doc_static_" + std::to_string(::getpid()));
  std::filesystem::create_directories(base / "www" / "css");
  std::ofstream(base / "www" / "css" / "site.css") << "body{}";
  std::ofstream(base / "private.txt") << "private";
  aio::http::application app;
  add_assets(app, base / "www");
  aio_test::run(
      [](aio::http::application& app) -> aio::coro<> {
        aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string ok = co_await raw_get(srv.port(), "/assets/css/site.css");
        EXPECT_TRUE(ok.starts_with("HTTP/1.1 200 ")) << ok;
        EXPECT_TRUE(ok.ends_with("body{}")) << ok;
        for (const char* bad : {"/assets/../private.txt", "/assets/%2e%2e/private.txt",
                                "/assets/..%2fprivate.txt", "/assets/css/site.css%00.png"}) {
          const std::string refused = co_await raw_get(srv.port(), bad);
          EXPECT_TRUE(refused.starts_with("HTTP/1.1 404 ")) << bad << "\n" << refused;
          EXPECT_EQ(refused.find("private"), std::string::npos) << bad;
        }
        co_await srv.shutdown();
      }(app),
      {.clock = aio::real_clock});
  std::filesystem::remove_all(base);
}

}  // namespace
