// docs/guide/http_client.md: the example, the streamed upload, Expect: 100-continue and decompression-limit
// blocks, run against an aio server on loopback (aio_test::run checks that nothing leaked).

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "test_support.hpp"

// ---- Example (the guide's first block, whole)
using namespace std::chrono_literals;

aio::coro<std::size_t> fetch(std::string base) {
  aio::http::client_session session({.timeout = {.total = 10s}, .limit = 10});

  // GET with query parameters, then JSON.
  auto resp = co_await session.get(base + "/search", {.params = {{"q", "coroutines"}}});
  resp.raise_for_status();
  nlohmann::json hits = co_await resp.json();
  std::printf("%d: %zu hits\n", resp.status(), hits.size());

  // POST a JSON body.
  auto created =
      co_await session.post(base + "/items", {.json = {{"name", "aio"}, {"tags", {"c++", "async"}}}});
  std::printf("created: %s\n", (co_await created.text()).c_str());

  // Stream a large body in pieces.
  auto download = co_await session.get(base + "/download");
  auto chunks = download.content().iter_chunked(64 * 1024);
  std::size_t size = 0;
  while (auto chunk = co_await chunks.next()) size += chunk->size();

  co_await session.close();
  co_return size;
}

namespace {

using aio::http::request;
using aio::http::response;

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

/// The example's server: /search answers hits for ?q=coroutines only, /items echoes the JSON it was
/// sent (kept in `posted`), /download sends 200,000 bytes.
aio::coro<std::size_t> run_example(std::string& posted) {
  aio::http::application app;
  app.router().add_get("/search", [](request& req) -> aio::coro<response> {
    if (req.query("q") != "coroutines") co_return aio::http::text_response("bad query", 400);
    co_return aio::http::json_response(nlohmann::json::array({1, 2, 3}));
  });
  app.router().add_post("/items", [&posted](request& req) -> aio::coro<response> {
    posted = co_await req.read();
    co_return aio::http::text_response(posted, 201);
  });
  app.router().add_get("/download", [](request&) -> aio::coro<response> {
    co_return aio::http::text_response(std::string(200000, 'd'));
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  std::size_t size = 0;
  std::exception_ptr failure;
  try {
    size = co_await fetch("http://127.0.0.1:" + std::to_string(srv.port()));
  } catch (...) {
    failure = std::current_exception();
  }
  co_await srv.shutdown();
  if (failure) std::rethrow_exception(failure);
  co_return size;
}

TEST(DocHttpClient, Example) {
  std::string posted;
  EXPECT_EQ(aio_test::run(run_example(posted), aio_test::k_real), 200000U);
  EXPECT_EQ(nlohmann::json::parse(posted), nlohmann::json::parse(R"({"name":"aio","tags":["c++","async"]})"));
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
  EXPECT_EQ(aio_test::run(with_server(stream_upload), aio_test::k_real),
            std::to_string(100 * 64 * 1024) + " chunked");
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
  EXPECT_EQ(aio_test::run(with_server(small_upload), aio_test::k_real), "200 1000 length");
  // Refused from its head: within expect100_timeout (1 s), so the body was never sent.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(aio_test::run(with_server(big_upload), aio_test::k_real), "413 too large");
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
  EXPECT_EQ(aio_test::run(with_server(limited_download), aio_test::k_real),
            "aio.http: the decompressed body exceeds max_decompress_size (1048576 bytes)");
}

}  // namespace
