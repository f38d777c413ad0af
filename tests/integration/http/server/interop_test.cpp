// aio's server against real clients: the curl binary and Python's aiohttp client, run as child
// processes. Skipped when curl or python3-aiohttp is missing.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aio/http/server.hpp"
#include "test_support.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;

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

}  // namespace
