// response::enable_compression and stream_response::enable_compression: negotiation from
// Accept-Encoding, the head (Content-Encoding, Vary, length), HEAD, streamed bodies; checked by
// decoding with zlib and with aio's client (curl --compressed:
// tests/integration/http/server/interop_test.cpp).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../../../src/http/compression.hpp"
#include "aio/http/client.hpp"
#include "aio/http/server.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::content_coding;
using aio::http::request;
using aio::http::response;
using namespace server_test;

using aio_test::k_real;

std::string sample() {
  std::string s;
  for (int i = 0; i < 3000; ++i) s += "line " + std::to_string(i) + " of a compressible response\n";
  return s;
}

std::string stream_body() {
  std::string s;
  for (int i = 0; i < 50; ++i) s += "event " + std::to_string(i) + "\n";
  return s;
}

aio::http::application compression_app() {
  aio::http::application app;
  app.router().add_get("/text", [](request&) -> coro<response> {
    response r = aio::http::text_response(sample());
    r.enable_compression();
    co_return r;
  });
  app.router().add_get("/forced", [](request&) -> coro<response> {
    response r = aio::http::text_response(sample());
    r.enable_compression(content_coding::deflate);
    co_return r;
  });
  app.router().add_get("/plain",
                       [](request&) -> coro<response> { co_return aio::http::text_response(sample()); });
  app.router().add_get("/encoded", [](request&) -> coro<response> {
    response r(200, aio::http::detail::compress("already", content_coding::gzip), "text/plain");
    r.headers().set("Content-Encoding", "gzip");
    r.enable_compression();  // the handler encoded it: left alone
    co_return r;
  });
  app.router().add_get("/empty", [](request&) -> coro<response> {
    response r(204);
    r.enable_compression();
    co_return r;
  });
  app.router().add_get("/stream", [](request& req) -> coro<response> {
    aio::http::stream_response resp;
    resp.set_content_type("text/plain");
    resp.set_content_length(stream_body().size());  // dropped when compressing: not known in advance
    resp.enable_compression();
    co_await resp.prepare(req);
    for (int i = 0; i < 50; ++i) co_await resp.write("event " + std::to_string(i) + "\n");
    co_await resp.write_eof();
    co_return resp;
  });
  app.router().add_get("/etag/{kind}", [](request& req) -> coro<response> {
    const std::string kind(req.match_info("kind"));
    response r = aio::http::text_response(kind == "empty" ? std::string() : sample());
    r.headers().set("ETag", kind == "weak" ? "W/\"v1\"" : kind == "bare" ? "v1" : "\"v1\"");
    if (kind == "forced") {
      r.enable_compression(content_coding::gzip);
    } else {
      r.enable_compression();
    }
    co_return r;
  });
  app.router().add_get("/etag-stream", [](request& req) -> coro<response> {
    aio::http::stream_response resp;
    resp.headers().set("ETag", "\"s1\"");
    resp.enable_compression();
    co_await resp.prepare(req);
    co_await resp.write(stream_body());
    co_await resp.write_eof();
    co_return resp;
  });
  return app;
}

std::string decode(const reply& r) {
  auto coding = aio::http::detail::parse_content_coding(r.headers.get("Content-Encoding", ""));
  if (!coding) return "<unknown coding>";
  return aio::http::detail::decompress(r.body, *coding, 1 << 24);
}

TEST(HttpResponseCompression, NegotiatesFromAcceptEncoding) {
  auto app = compression_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        struct expectation {
          std::string accept;  // "" = no Accept-Encoding field
          std::string coding;  // "" = not compressed
        };
        const std::vector<expectation> cases = {
            {"", ""},
            {"gzip", "gzip"},
            {"deflate", "deflate"},
            {"gzip, deflate, br", "gzip"},
            {"br", ""},
            {"GZIP;Q=0.5", "gzip"},
            {"gzip;q=0, deflate;q=0.3", "deflate"},
            {"deflate;q=0.9, gzip;q=0.8", "deflate"},
            {"gzip;q=0.5, identity", ""},  // identity ranked higher
            {"gzip;q=0.5, identity;q=0.4", "gzip"},
            {"*", "gzip"},
            {"*;q=0.1, deflate;q=0.2", "deflate"},
            {"*;q=0", ""},
            {"identity", ""},
            {"x-gzip", "gzip"},
            {"gzip;q=bogus, deflate", "deflate"},  // a malformed element is skipped
        };
        for (const auto& ex : cases) {
          std::string req = "GET /text HTTP/1.1\r\nHost: x\r\n";
          if (!ex.accept.empty()) req += "Accept-Encoding: " + ex.accept + "\r\n";
          auto r = co_await c.request(req + "\r\n");
          EXPECT_EQ(r.status, 200);
          EXPECT_EQ(r.headers.get("Content-Encoding", ""), ex.coding) << "Accept-Encoding: " << ex.accept;
          EXPECT_EQ(r.headers.get("Vary", ""), "Accept-Encoding");
          EXPECT_EQ(r.headers.get("Content-Length", ""), std::to_string(r.body.size()));
          if (ex.coding.empty()) {
            EXPECT_EQ(r.body, sample());
          } else {
            EXPECT_LT(r.body.size(), sample().size() / 4);
            EXPECT_EQ(decode(r), sample());
          }
        }
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpResponseCompression, HeadForcedPreEncodedAndNoBody) {
  auto app = compression_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto get = co_await c.request("GET /text HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        auto head =
            co_await c.request("HEAD /text HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", true);
        EXPECT_EQ(head.status, 200);
        EXPECT_EQ(head.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(head.headers.get("Content-Length", ""), get.headers.get("Content-Length", "?"));
        EXPECT_EQ(head.body, "");
        auto forced = co_await c.request("GET /forced HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(forced.headers.get("Content-Encoding", ""), "deflate");
        EXPECT_FALSE(forced.headers.contains("Vary"));
        EXPECT_EQ(decode(forced), sample());
        auto off = co_await c.request("GET /plain HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        EXPECT_FALSE(off.headers.contains("Content-Encoding"));  // not enabled: never compressed
        EXPECT_EQ(off.body, sample());
        auto pre = co_await c.request("GET /encoded HTTP/1.1\r\nHost: x\r\nAccept-Encoding: deflate\r\n\r\n");
        EXPECT_EQ(pre.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(decode(pre), "already");
        auto none = co_await c.request("GET /empty HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        EXPECT_EQ(none.status, 204);
        EXPECT_FALSE(none.headers.contains("Content-Encoding"));
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpResponseCompression, StreamResponseIsCompressedAsItGoes) {
  auto app = compression_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET /stream HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        EXPECT_EQ(r.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(r.headers.get("Transfer-Encoding", ""), "chunked");
        EXPECT_FALSE(r.headers.contains("Content-Length"));
        EXPECT_EQ(decode(r), stream_body());
        EXPECT_TRUE(r.keep_alive);
        auto plain = co_await c.request("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_FALSE(plain.headers.contains("Content-Encoding"));
        EXPECT_EQ(plain.headers.get("Content-Length", ""), std::to_string(stream_body().size()));
        EXPECT_EQ(plain.body, stream_body());
        c.close();
        // HTTP/1.0: no chunked framing, the body ends with the connection.
        auto c10 = co_await raw_client::connect(srv.port());
        auto r10 = co_await c10.request("GET /stream HTTP/1.0\r\nAccept-Encoding: deflate\r\n\r\n");
        EXPECT_EQ(r10.headers.get("Content-Encoding", ""), "deflate");
        EXPECT_EQ(decode(r10), stream_body());
        EXPECT_TRUE(co_await c10.at_eof());
        c10.close();
        auto c2 = co_await raw_client::connect(srv.port());
        auto h =
            co_await c2.request("HEAD /stream HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", true);
        EXPECT_EQ(h.status, 200);
        EXPECT_EQ(h.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(h.body, "");
        c2.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpResponseCompression, AioClientDecompresses) {
  auto app = compression_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string base = "http://127.0.0.1:" + std::to_string(srv.port());
        aio::http::client_session session;
        auto r = co_await session.get(base + "/text");
        EXPECT_EQ(r.headers().get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(co_await r.text(), sample());
        auto s = co_await session.get(base + "/stream");
        EXPECT_EQ(co_await s.text(), stream_body());
        co_await session.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpResponseCompression, CompressedBodyGetsAWeakEtag) {
  auto app = compression_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        struct expectation {
          std::string target;
          std::string accept;  // "" = no Accept-Encoding field
          std::string etag;    // "" = no ETag field
        };
        const std::vector<expectation> cases = {
            {"/etag/strong", "gzip", "W/\"v1\""},  // compressed: the bytes differ from what it named
            {"/etag/strong", "", "\"v1\""},        // not compressed: unchanged
            {"/etag/strong", "gzip;q=0", "\"v1\""},
            {"/etag/strong", "br", "\"v1\""},
            {"/etag/weak", "gzip", "W/\"v1\""},  // already weak
            {"/etag/forced", "", "W/\"v1\""},    // forced gzip compresses whatever the client said
            {"/etag/empty", "gzip", "\"v1\""},   // an empty body is not compressed
            {"/etag/bare", "deflate", ""},       // not an entity-tag: dropped, as nginx
            {"/etag/bare", "", "v1"},            // ...but left alone when not compressed
        };
        for (const auto& ex : cases) {
          std::string req = "GET " + ex.target + " HTTP/1.1\r\nHost: x\r\n";
          if (!ex.accept.empty()) req += "Accept-Encoding: " + ex.accept + "\r\n";
          auto r = co_await c.request(req + "\r\n");
          EXPECT_EQ(r.status, 200);
          EXPECT_EQ(r.headers.get("ETag", ""), ex.etag) << ex.target << " with " << ex.accept;
        }
        auto s = co_await c.request("GET /etag-stream HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        EXPECT_EQ(s.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(s.headers.get("ETag", ""), "W/\"s1\"");
        EXPECT_EQ(decode(s), stream_body());
        auto s2 = co_await c.request("GET /etag-stream HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(s2.headers.get("ETag", ""), "\"s1\"");
        EXPECT_EQ(s2.body, stream_body());
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

}  // namespace
