// file_response's precompressed siblings (aiohttp's FileResponse): `path.br` / `path.gz` sent with
// Content-Encoding when Accept-Encoding accepts them (q-values), their own validators, Vary, ranges
// over the compressed bytes, 304, HEAD; siblings that are missing, directories or links are ignored.
// With raw sockets and aio's client (curl: tests/integration/http/server/interop_test.cpp).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../../../src/http/compression.hpp"
#include "aio/http/client.hpp"
#include "aio/http/server.hpp"
#include "precompressed_files.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::content_coding;
using aio::http::request;
using aio::http::response;
using namespace server_test;
using namespace precompressed_test;

using aio_test::k_real;

/// Stands in for a brotli file: aio cannot encode brotli, and the server only sends the bytes.
std::string fake_br() { return "not really brotli, but the bytes of index.txt.br"; }

constexpr std::time_t k_plain_mtime = 1609459200;  // Fri, 01 Jan 2021 00:00:00 GMT
constexpr std::time_t k_gz_mtime = 1577836800;     // Wed, 01 Jan 2020 00:00:00 GMT

// The example of docs/guide/http_server.md, "Precompressed files" (plus a route for the Vary test).
aio::http::application static_app(const std::filesystem::path& dir) {
  aio::http::application app;
  app.router().add_get("/static/{name}", [dir](request& req) -> aio::coro<response> {
    co_return aio::http::file_response(dir / std::string(req.match_info("name")));
  });
  app.router().add_get("/vary/{name}", [dir](request& req) -> coro<response> {
    response r = aio::http::file_response(dir / std::string(req.match_info("name")));
    r.headers().set("Vary", "Origin");
    co_return r;
  });
  return app;
}

/// `GET target` with Accept-Encoding `accept` ("" = no such field) and `extra` header lines.
std::string get(std::string_view target, std::string_view accept, std::string_view extra = "",
                std::string_view method = "GET") {
  std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n";
  if (!accept.empty()) req += "Accept-Encoding: " + std::string(accept) + "\r\n";
  return req + std::string(extra) + "\r\n";
}

TEST(HttpFilePrecompressed, GzipSiblingSentWhenAccepted) {
  const temp_dir d;
  d.write("index.txt", original(), k_plain_mtime);
  d.write("index.txt.gz", gzipped(), k_gz_mtime);
  auto app = static_app(d.path());
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto plain = co_await c.request(get("/static/index.txt", ""));
        EXPECT_EQ(plain.status, 200);
        EXPECT_FALSE(plain.headers.contains("Content-Encoding"));
        EXPECT_EQ(plain.headers.get("Vary", ""), "Accept-Encoding");  // a sibling exists: caches must key
        EXPECT_TRUE(plain.body == original());
        EXPECT_EQ(plain.headers.get("Last-Modified", ""), "Fri, 01 Jan 2021 00:00:00 GMT");

        auto gz = co_await c.request(get("/static/index.txt", "gzip"));
        EXPECT_EQ(gz.status, 200);
        EXPECT_EQ(gz.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(gz.headers.get("Content-Type", ""), "text/plain; charset=utf-8");  // of index.txt
        EXPECT_EQ(gz.headers.get("Vary", ""), "Accept-Encoding");
        EXPECT_EQ(gz.headers.get("Content-Length", ""), std::to_string(gzipped().size()));
        EXPECT_TRUE(gz.body == gzipped());  // the .gz file's bytes, not compressed on the fly
        EXPECT_EQ(gz.headers.get("Last-Modified", ""), "Wed, 01 Jan 2020 00:00:00 GMT");
        EXPECT_NE(gz.headers.get("ETag", "a"), plain.headers.get("ETag", "b"));
        EXPECT_EQ(aio::http::detail::decompress(gz.body, content_coding::gzip, 1 << 24), original());

        auto head = co_await c.request(get("/static/index.txt", "gzip", "", "HEAD"), true);
        EXPECT_EQ(head.status, 200);
        EXPECT_EQ(head.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(head.headers.get("Content-Length", ""), std::to_string(gzipped().size()));
        EXPECT_EQ(head.headers.get("ETag", ""), gz.headers.get("ETag", "?"));
        EXPECT_EQ(head.body, "");
        // The handler's Vary is kept and extended.
        auto vary = co_await c.request(get("/vary/index.txt", "gzip"));
        EXPECT_EQ(vary.headers.get("Vary", ""), "Origin, Accept-Encoding");
        EXPECT_TRUE(vary.body == gzipped());
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpFilePrecompressed, AcceptEncodingQValuesChooseTheSibling) {
  const temp_dir d;
  d.write("index.txt", original(), k_plain_mtime);
  d.write("index.txt.gz", gzipped(), k_gz_mtime);
  d.write("index.txt.br", fake_br(), k_gz_mtime);
  d.write("only_br.txt", original(), k_plain_mtime);
  d.write("only_br.txt.br", fake_br(), k_gz_mtime);
  auto app = static_app(d.path());
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        struct expectation {
          std::string target;
          std::string accept;  // "" = no Accept-Encoding field
          std::string coding;  // "" = the file itself
        };
        const std::vector<expectation> cases = {
            {"/static/index.txt", "", ""},
            {"/static/index.txt", "gzip", "gzip"},
            {"/static/index.txt", "GZip", "gzip"},
            {"/static/index.txt", "x-gzip", "gzip"},
            {"/static/index.txt", "gzip;q=0", ""},  // refused
            {"/static/index.txt", "br", "br"},
            {"/static/index.txt", "gzip, deflate, br", "br"},  // a tie: brotli first, as aiohttp
            {"/static/index.txt", "br;q=0.5, gzip", "gzip"},
            {"/static/index.txt", "br;q=0, gzip;q=0.1", "gzip"},
            {"/static/index.txt", "gzip;q=0.5, identity", ""},  // identity ranked higher
            {"/static/index.txt", "gzip;q=0.5, identity;q=0.4", "gzip"},
            {"/static/index.txt", "*", "br"},
            {"/static/index.txt", "*;q=0", ""},
            {"/static/index.txt", "br;q=0, *", "gzip"},
            {"/static/index.txt", "deflate", ""},
            {"/static/index.txt", "identity", ""},
            {"/static/only_br.txt", "gzip", ""},  // no .gz; the .br is not accepted
            {"/static/only_br.txt", "gzip, br;q=0.2", "br"},
        };
        for (const auto& ex : cases) {
          auto r = co_await c.request(get(ex.target, ex.accept));
          const std::string what = ex.target + " with Accept-Encoding: " + ex.accept;
          EXPECT_EQ(r.status, 200) << what;
          EXPECT_EQ(r.headers.get("Content-Encoding", ""), ex.coding) << what;
          EXPECT_EQ(r.headers.get("Vary", ""), "Accept-Encoding") << what;
          EXPECT_EQ(r.headers.get("Content-Type", ""), "text/plain; charset=utf-8") << what;
          const std::string expected = ex.coding == "gzip" ? gzipped()
                                       : ex.coding == "br" ? fake_br()
                                                           : original();
          EXPECT_TRUE(r.body == expected) << what;
        }
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpFilePrecompressed, MissingDirectoryAndLinkSiblingsAreIgnored) {
  const temp_dir d;
  d.write("alone.txt", original(), k_plain_mtime);
  d.write("dir.txt", original(), k_plain_mtime);
  std::filesystem::create_directory(d.path() / "dir.txt.gz");
  d.write("link.txt", original(), k_plain_mtime);
  d.write("elsewhere.gz", gzipped(), k_gz_mtime);
  std::filesystem::create_symlink(d.path() / "elsewhere.gz", d.path() / "link.txt.gz");
  d.write("gone.txt.gz", gzipped(), k_gz_mtime);  // only the compressed file
  auto app = static_app(d.path());
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        for (const char* target : {"/static/alone.txt", "/static/dir.txt", "/static/link.txt"}) {
          auto r = co_await c.request(get(target, "gzip, br"));
          EXPECT_EQ(r.status, 200) << target;
          EXPECT_FALSE(r.headers.contains("Content-Encoding")) << target;
          EXPECT_FALSE(r.headers.contains("Vary")) << target;  // no sibling: nothing varies
          EXPECT_TRUE(r.body == original()) << target;
        }
        // As aiohttp: the compressed file is enough for a client that accepts it.
        auto gone = co_await c.request(get("/static/gone.txt", "gzip"));
        EXPECT_EQ(gone.status, 200);
        EXPECT_EQ(gone.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_TRUE(gone.body == gzipped());
        auto refused = co_await c.request(get("/static/gone.txt", "gzip;q=0"));
        EXPECT_EQ(refused.status, 404);
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpFilePrecompressed, RangesApplyToTheCompressedBytes) {
  const temp_dir d;
  d.write("index.txt", original(), k_plain_mtime);
  d.write("index.txt.gz", gzipped(), k_gz_mtime);
  auto app = static_app(d.path());
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        const std::string gz = gzipped();
        const std::string total = std::to_string(gz.size());
        auto r = co_await c.request(get("/static/index.txt", "gzip", "Range: bytes=0-9\r\n"));
        EXPECT_EQ(r.status, 206);
        EXPECT_EQ(r.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(r.headers.get("Content-Range", ""), "bytes 0-9/" + total);
        EXPECT_TRUE(r.body == gz.substr(0, 10));
        // The last 8 bytes of a gzip file: its CRC-32 and length trailer, not text.
        auto tail = co_await c.request(get("/static/index.txt", "gzip", "Range: bytes=-8\r\n"));
        EXPECT_EQ(tail.status, 206);
        EXPECT_TRUE(tail.body == gz.substr(gz.size() - 8));
        // Past the compressed length (though inside the original): 416 against the compressed size.
        const std::string past = std::to_string(gz.size() + 10);
        auto r416 = co_await c.request(get("/static/index.txt", "gzip", "Range: bytes=" + past + "-\r\n"));
        EXPECT_EQ(r416.status, 416);
        EXPECT_EQ(r416.headers.get("Content-Range", ""), "bytes */" + total);
        EXPECT_EQ(r416.headers.get("Vary", ""), "Accept-Encoding");
        // The same range of the file itself when gzip is not accepted.
        auto plain = co_await c.request(get("/static/index.txt", "", "Range: bytes=" + past + "-\r\n"));
        EXPECT_EQ(plain.status, 206);
        EXPECT_TRUE(plain.body == original().substr(gz.size() + 10));
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpFilePrecompressed, NotModifiedWithTheGzipValidators) {
  const temp_dir d;
  d.write("index.txt", original(), k_plain_mtime);
  d.write("index.txt.gz", gzipped(), k_gz_mtime);
  auto app = static_app(d.path());
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto gz = co_await c.request(get("/static/index.txt", "gzip"));
        auto plain = co_await c.request(get("/static/index.txt", ""));
        const std::string gz_tag(gz.headers.get("ETag", ""));
        const std::string plain_tag(plain.headers.get("ETag", ""));
        EXPECT_FALSE(gz_tag.empty());
        EXPECT_NE(gz_tag, plain_tag);
        auto nm = co_await c.request(get("/static/index.txt", "gzip", "If-None-Match: " + gz_tag + "\r\n"));
        EXPECT_EQ(nm.status, 304);
        EXPECT_EQ(nm.headers.get("ETag", ""), gz_tag);
        EXPECT_EQ(nm.headers.get("Vary", ""), "Accept-Encoding");
        EXPECT_EQ(nm.body, "");
        // The gzip tag does not validate the identity variant, nor the identity tag the gzip one.
        auto other = co_await c.request(get("/static/index.txt", "", "If-None-Match: " + gz_tag + "\r\n"));
        EXPECT_EQ(other.status, 200);
        EXPECT_TRUE(other.body == original());
        auto other2 =
            co_await c.request(get("/static/index.txt", "gzip", "If-None-Match: " + plain_tag + "\r\n"));
        EXPECT_EQ(other2.status, 200);
        EXPECT_TRUE(other2.body == gzipped());
        // Dates: the .gz is older than the file; since the .gz's date is not modified for gzip.
        const std::string ims = "If-Modified-Since: Wed, 01 Jan 2020 00:00:00 GMT\r\n";
        auto by_date = co_await c.request(get("/static/index.txt", "gzip", ims));
        EXPECT_EQ(by_date.status, 304);
        auto by_date_plain = co_await c.request(get("/static/index.txt", "", ims));
        EXPECT_EQ(by_date_plain.status, 200);
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpFilePrecompressed, AioClientDecodesTheSibling) {
  const temp_dir d;
  d.write("index.txt", original(), k_plain_mtime);
  d.write("index.txt.gz", gzipped(), k_gz_mtime);
  auto app = static_app(d.path());
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/static/index.txt";
        aio::http::client_session session;  // sends Accept-Encoding: gzip, deflate
        auto r = co_await session.get(url);
        EXPECT_EQ(r.headers().get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(r.headers().get("Content-Length", ""), std::to_string(gzipped().size()));
        EXPECT_EQ(co_await r.text(), original());
        co_await session.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

}  // namespace
