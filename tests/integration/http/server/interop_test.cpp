// aio's server against real clients: the curl binary and Python's aiohttp client, run as child
// processes; curl also fetches multiple ranges, compressed responses and precompressed files. Skipped
// when curl or python3-aiohttp is missing.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../../../src/http/compression.hpp"
#include "../../../unit/http/server/precompressed_files.hpp"
#include "../../../unit/http/server/server_test_util.hpp"
#include "aio/http/server.hpp"
#include "test_support.hpp"

namespace {

using aio::coro;
using aio::http::content_coding;
using aio::http::request;
using aio::http::response;
using precompressed_test::gzipped;
using precompressed_test::original;
using precompressed_test::temp_dir;
using server_test::parse_byteranges;

constexpr const char* k_python = "/usr/bin/python3";  // the system one: python3-aiohttp lives there
using aio_test::k_real;

bool have(const char* cmd) { return std::system(cmd) == 0; }

std::string script_path() {
  return (std::filesystem::path(AIO_TEST_DIR) / "data" / "aiohttp_client.py").string();
}

aio::http::application make_app(const std::filesystem::path& file) {
  aio::http::application app;
  app.router().add_get(
      "/", [](request&) -> coro<response> { co_return aio::http::text_response("Hello, World!"); });
  app.router().add_get("/users/{id}", [](request& req) -> coro<response> {
    co_return aio::http::json_response({{"id", req.match_info("id")}, {"q", req.query("q").value_or("")}});
  });
  app.router().add_post("/echo", [](request& req) -> coro<response> {
    std::string body = co_await req.read();
    co_return response(200, std::move(body), "application/octet-stream");
  });
  app.router().add_post("/form", [](request& req) -> coro<response> {
    aio::http::form f = co_await req.post();
    std::string out(f.get("name").value_or("?"));
    for (const auto& file : f.files) out += "|" + file.filename.value_or("") + ":" + file.body;
    co_return aio::http::text_response(out);
  });
  app.router().add_get("/stream", [](request& req) -> coro<response> {
    aio::http::stream_response resp;
    co_await resp.prepare(req);
    for (int i = 0; i < 3; ++i) co_await resp.write(std::to_string(i) + "\n");
    co_await resp.write_eof();
    co_return resp;
  });
  app.router().add_get("/file",
                       [file](request&) -> coro<response> { co_return aio::http::file_response(file); });
  app.router().add_get("/ws", [](request& req) -> coro<response> {
    aio::http::websocket_response ws;
    co_await ws.prepare(req);
    while (auto msg = co_await ws.next()) {
      if (msg->type == aio::http::ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
    }
    co_return ws;
  });
  return app;
}

coro<std::string> run_tool(std::string program, std::vector<std::string> args) {
  aio::process p =
      co_await aio::create_subprocess_exec(program, args, {.stdout_ = aio::pipe, .stderr_ = aio::pipe});
  auto [out, err] = co_await p.communicate();
  const int status = co_await p.wait();
  EXPECT_EQ(status, 0) << program << " failed: " << err;
  co_return out;
}

struct temp_file {
  std::filesystem::path path;
  explicit temp_file(const std::string& content) {
    path =
        std::filesystem::temp_directory_path() / ("aio_http_interop_" + std::to_string(::getpid()) + ".txt");
    std::ofstream(path, std::ios::binary) << content;
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() { std::filesystem::remove(path); }
};

TEST(HttpServerInterop, Curl) {
  if (!have("curl --version > /dev/null 2>&1")) GTEST_SKIP() << "curl is not installed";
  temp_file f("0123456789");
  auto app = make_app(f.path);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string base = "http://127.0.0.1:" + std::to_string(srv.port());
        // Two URLs in one curl: the second reuses the connection ("Re-using existing connection").
        std::vector<std::string> args1 = {"-sS", "-v", "--stderr", "-", base + "/", base + "/users/5?q=x"};
        std::string out = co_await run_tool("curl", std::move(args1));
        EXPECT_NE(out.find("Hello, World!"), std::string::npos) << out;
        EXPECT_NE(out.find("{\"id\":\"5\",\"q\":\"x\"}"), std::string::npos) << out;
        EXPECT_NE(out.find("Re-using existing connection"), std::string::npos) << out;
        EXPECT_EQ(srv.connection_count(), 0U);
        // Chunked upload from stdin-less data: -H forces chunked framing.
        std::vector<std::string> args2 = {"-sS",           "-H",           "Transfer-Encoding: chunked",
                                          "--data-binary", "chunked body", base + "/echo"};
        out = co_await run_tool("curl", std::move(args2));
        EXPECT_EQ(out, "chunked body");
        std::vector<std::string> args3 = {"-sS", "-I", base + "/"};
        out = co_await run_tool("curl", std::move(args3));  // HEAD
        EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
        EXPECT_NE(out.find("Content-Length: 13"), std::string::npos) << out;
        std::vector<std::string> args4 = {"-sS", "-r", "2-4", base + "/file"};
        out = co_await run_tool("curl", std::move(args4));  // Range
        EXPECT_EQ(out, "234");
        std::vector<std::string> args5 = {"-sS",          "-o", "/dev/null", "-w",
                                          "%{http_code}", "-X", "DELETE",    base + "/"};
        out = co_await run_tool("curl", std::move(args5));
        EXPECT_EQ(out, "405");
        std::vector<std::string> args6 = {"-sS", "--compressed", base + "/stream"};
        out = co_await run_tool("curl", std::move(args6));
        EXPECT_EQ(out, "0\n1\n2\n");
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpServerInterop, PythonAiohttpClient) {
  if (!have("/usr/bin/python3 -c 'import aiohttp' > /dev/null 2>&1"))
    GTEST_SKIP() << "python3-aiohttp is not installed";
  temp_file f("x");
  auto app = make_app(f.path);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        std::vector<std::string> args7 = {script_path(), std::to_string(srv.port())};
        const std::string out = co_await run_tool(k_python, std::move(args7));
        EXPECT_EQ(out, "OK\n");
        co_await srv.shutdown();
      }(app),
      k_real);
}

// ---- curl against what the unit tests check with raw sockets -------------------------------------
// Each test keeps its unit suite's name: HttpFileResponse (tests/unit/http/server/file_response_test.cpp),
// HttpResponseCompression (response_compression_test.cpp), HttpFilePrecompressed
// (file_response_precompressed_test.cpp).

TEST(HttpFileResponse, CurlMultiRange) {
  if (!have("curl --version > /dev/null 2>&1")) GTEST_SKIP() << "curl is not installed";
  const temp_file f("0123456789abcdefghijklmnopqrstuvwxyz");
  auto app = make_app(f.path);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/file";
        std::vector<std::string> args = {"-sS", "-D", "-", "-r", "0-9,20-29", url};
        const std::string out = co_await run_tool("curl", std::move(args));
        EXPECT_NE(out.find("HTTP/1.1 206 Partial Content"), std::string::npos) << out;
        const std::size_t ct_at = out.find("Content-Type: ");
        const std::size_t body_at = out.find("\r\n\r\n");
        EXPECT_NE(ct_at, std::string::npos);
        EXPECT_NE(body_at, std::string::npos);
        if (ct_at != std::string::npos && body_at != std::string::npos) {
          const std::string ct = out.substr(ct_at + 14, out.find("\r\n", ct_at) - ct_at - 14);
          auto parts = parse_byteranges(ct, out.substr(body_at + 4));
          EXPECT_EQ(parts.size(), 2U) << out;
          if (parts.size() == 2) {
            EXPECT_EQ(parts[0].data, "0123456789");
            EXPECT_EQ(parts[1].data, "klmnopqrst");
            EXPECT_EQ(parts[1].content_range, "bytes 20-29/36");
          }
        }
        std::vector<std::string> args2 = {"-sS", "-o", "/dev/null", "-w", "%{http_code}", "-r", "50-60", url};
        EXPECT_EQ(co_await run_tool("curl", std::move(args2)), "416");
        co_await srv.shutdown();
      }(app),
      k_real);
}

/// A compressible text of 3000 lines.
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

/// `sample()` at /text and `stream_body()` streamed at /stream, both compressed when the client accepts it.
aio::http::application compression_app() {
  aio::http::application app;
  app.router().add_get("/text", [](request&) -> coro<response> {
    response r = aio::http::text_response(sample());
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
  return app;
}

TEST(HttpResponseCompression, CurlCompressed) {
  if (!have("curl --version > /dev/null 2>&1")) GTEST_SKIP() << "curl is not installed";
  auto app = compression_app();
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string base = "http://127.0.0.1:" + std::to_string(srv.port());
        std::vector<std::string> a1 = {"-sS", "--compressed", base + "/text"};
        EXPECT_EQ(co_await run_tool("curl", std::move(a1)), sample());
        std::vector<std::string> a2 = {"-sS", "--compressed", base + "/stream"};
        EXPECT_EQ(co_await run_tool("curl", std::move(a2)), stream_body());
        std::vector<std::string> a3 = {"-sS", "-H", "Accept-Encoding: deflate", "--compressed",
                                       base + "/text"};
        EXPECT_EQ(co_await run_tool("curl", std::move(a3)), sample());
        // Without --compressed curl sends no Accept-Encoding: identity.
        std::vector<std::string> a4 = {"-sS", "-o", "/dev/null", "-w", "%{size_download}", base + "/text"};
        EXPECT_EQ(co_await run_tool("curl", std::move(a4)), std::to_string(sample().size()));
        co_await srv.shutdown();
      }(app),
      k_real);
}

aio::http::application static_app(const std::filesystem::path& dir) {
  aio::http::application app;
  app.router().add_get("/static/{name}", [dir](request& req) -> coro<response> {
    co_return aio::http::file_response(dir / std::string(req.match_info("name")));
  });
  return app;
}

TEST(HttpFilePrecompressed, Curl) {
  if (!have("curl --version > /dev/null 2>&1")) GTEST_SKIP() << "curl is not installed";
  const temp_dir d;
  d.write("index.txt", original());
  d.write("index.txt.gz", gzipped());
  auto app = static_app(d.path());
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/static/index.txt";
        // --compressed asks for what curl can decode and decodes it.
        std::vector<std::string> a1 = {"-sS", "--compressed", url};
        EXPECT_TRUE(co_await run_tool("curl", std::move(a1)) == original());
        std::vector<std::string> a2 = {"-sS", "--compressed", "-o", "/dev/null", "-D", "-", url};
        const std::string head = co_await run_tool("curl", std::move(a2));
        EXPECT_NE(head.find("Content-Encoding: gzip\r\n"), std::string::npos) << head;
        // A raw Accept-Encoding: curl hands over the bytes as sent, which are the .gz file's.
        std::vector<std::string> a3 = {"-sS", "-H", "Accept-Encoding: gzip", url};
        EXPECT_TRUE(co_await run_tool("curl", std::move(a3)) == gzipped());
        std::vector<std::string> a4 = {"-sS", "-H", "Accept-Encoding: gzip", "-r", "0-99", url};
        EXPECT_TRUE(co_await run_tool("curl", std::move(a4)) == gzipped().substr(0, 100));
        std::vector<std::string> a5 = {"-sS", "-H", "Accept-Encoding: gzip;q=0", url};
        EXPECT_TRUE(co_await run_tool("curl", std::move(a5)) == original());
        co_await srv.shutdown();
      }(app),
      k_real);
}

}  // namespace
