// docs/guide/http_client.md: the streamed upload, Expect: 100-continue and decompression-limit blocks, run
// against an aio server on loopback (aio_test::run checks that nothing leaked). The guide's first block is
// tests/unit/http/client/guide_example_test.cpp.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <optional>
#include <string>

#include "test_support.hpp"

namespace {

using aio::http::request;
using aio::http::response;

const aio_test::options k_real{.clock = aio::real_clock};
constexpr std::uint64_t k_limit =
    std::uint64_t{1024} * 1024;  // uploads above 1 MiB are refused from their head

/// POST /upload answers "<bytes> <chunked|length>"; a Content-Length over the limit gets 413 at once,
/// without reading the body (so the server never says 100 Continue).
aio::coro<response> upload(request& req) {
  if (req.content_length().value_or(0) > k_limit) co_return aio::http::text_response("too large", 413);
  const bool chunked = req.headers().get("Transfer-Encoding", "") == "chunked";
  const std::string body = co_await req.read();
  co_return aio::http::text_response(std::to_string(body.size()) + (chunked ? " chunked" : " length"));
}

/// GET /zeros: 2 MiB of zeros, gzip-compressed (about 2 KiB on the wire).
aio::coro<response> zeros(request&) {
  response r = aio::http::text_response(std::string(2 * k_limit, '0'));
  r.enable_compression();
  co_return r;
}

template <class Body>
aio::coro<std::string> with_server(Body body) {
  aio::http::application app;
  app.router().add_post("/upload", upload);
  app.router().add_get("/zeros", zeros);
  aio::http::app_server srv =
      co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .client_max_size = 16 * k_limit});
  aio::http::client_session session;
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/upload";
  std::exception_ptr failure;
  std::string result;
  try {
    result = co_await body(session, url);
  } catch (...) {
    failure = std::current_exception();
  }
  co_await session.close();
  co_await srv.shutdown();
  if (failure) std::rethrow_exception(failure);
  co_return result;
}

// ---- Streaming uploads
aio::coro<std::string> stream_upload(aio::http::client_session& session, const std::string& url) {
  int left = 100;
  auto chunks = [&]() -> aio::coro<std::optional<std::string>> {
    if (left-- == 0) co_return std::nullopt;
    co_return std::string(64 * 1024, 'x');
  };
  auto resp = co_await session.post(url, {.stream = chunks});
  co_return co_await resp.text();
}

TEST(DocHttpClient, StreamedUpload) {
  EXPECT_EQ(aio_test::run(with_server(stream_upload), k_real), std::to_string(100 * 64 * 1024) + " chunked");
}

// ---- Expect: 100-continue
aio::coro<std::string> expect_continue(aio::http::client_session& session, const std::string& url,
                                       const std::string& payload) {
  auto resp = co_await session.post(url, {.body = payload, .expect100 = true});
  if (resp.status() == 413) {
    // refused before any byte of `payload` went out
  }
  co_return std::to_string(resp.status()) + " " + co_await resp.text();
}

TEST(DocHttpClient, Expect100) {
  const std::string small(1000, 's');
  const std::string big(2 * k_limit, 'b');
  auto small_upload = [&](aio::http::client_session& s, const std::string& url) {
    return expect_continue(s, url, small);
  };
  auto big_upload = [&](aio::http::client_session& s, const std::string& url) {
    return expect_continue(s, url, big);
  };
  EXPECT_EQ(aio_test::run(with_server(small_upload), k_real), "200 1000 length");
  // Refused from its head: within expect100_timeout (1 s), so the body was never sent.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(aio_test::run(with_server(big_upload), k_real), "413 too large");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

// ---- Limits against hostile servers
aio::coro<std::string> limited_download(aio::http::client_session& session, const std::string& upload_url) {
  const std::string url = upload_url.substr(0, upload_url.rfind('/')) + "/zeros";
  std::string outcome;
  try {
    auto resp = co_await session.get(url, {.max_decompress_size = 1024 * 1024});
    std::string body = co_await resp.read();
    outcome = std::to_string(body.size());
  } catch (const aio::http::client_payload_error& e) {
    // "aio.http: the decompressed body exceeds max_decompress_size (1048576 bytes)"
    outcome = e.what();
  }
  co_return outcome;
}

TEST(DocHttpClient, DecompressionLimit) {
  EXPECT_EQ(aio_test::run(with_server(limited_download), k_real),
            "aio.http: the decompressed body exceeds max_decompress_size (1048576 bytes)");
}

}  // namespace
