// Interoperability: the client against Python's aiohttp server (requests, and streamed uploads with
// Expect: 100-continue) and against nginx, both started by the test as child processes on free ports.
// Skipped when python3-aiohttp or nginx is not installed.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>  // mkdtemp
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "../../../unit/http/client/upload_chunks.hpp"
#include "aio/aio.hpp"
#include "aio/http/client.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace http = aio::http;

namespace {

using aio_test::k_real;
constexpr const char* k_python = "/usr/bin/python3";  // the system one: python3-aiohttp lives there

bool have_aiohttp() {
  return std::system((std::string(k_python) + " -c 'import aiohttp' >/dev/null 2>&1").c_str()) == 0;
}

constexpr const char* k_aiohttp_server = R"PY(
import asyncio, json, sys
import aiohttp
from aiohttp import web

async def ws_echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            await ws.send_str("echo:" + msg.data)
    return ws

async def hello(request):
    return web.Response(text="hello from aiohttp")

async def js(request):
    return web.json_response({"q": request.query.get("q", ""), "ua": request.headers.get("User-Agent", "")})

async def echo(request):
    body = await request.read()
    return web.json_response({"len": len(body), "type": request.content_type, "form": dict(await request.post()) if request.content_type == "application/x-www-form-urlencoded" else {}})

async def gz(request):
    resp = web.Response(text="z" * 10000)
    resp.enable_compression()
    return resp

async def stream(request):
    resp = web.StreamResponse()
    await resp.prepare(request)
    for i in range(5):
        await resp.write(("part%d;" % i).encode())
    await resp.write_eof()
    return resp

async def redirect(request):
    raise web.HTTPFound("/json?q=redirected")

async def cookie(request):
    resp = web.Response(text="set")
    resp.set_cookie("k", "v")
    return resp

async def show_cookie(request):
    return web.Response(text=request.cookies.get("k", "none"))

async def main():
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/json", js)
    app.router.add_post("/echo", echo)
    app.router.add_get("/gzip", gz)
    app.router.add_get("/stream", stream)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/cookie", cookie)
    app.router.add_get("/show-cookie", show_cookie)
    app.router.add_get("/ws", ws_echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
)PY";

TEST(client_interop, aiohttp_server) {
  if (!have_aiohttp()) GTEST_SKIP() << "python3-aiohttp is not installed";
  aio_test::run(
      []() -> aio::coro<> {
        aio::subprocess_options po;
        po.stdout_ = aio::pipe;
        const std::vector<std::string> args{"-c", k_aiohttp_server};
        aio::process p = co_await aio::create_subprocess_exec(k_python, args, po);
        const std::string port = co_await p.stdout_().readline();
        const std::string base = "http://127.0.0.1:" + port.substr(0, port.size() - 1);
        http::client_session session({.unsafe_cookies = true});  // cookies from 127.0.0.1 below
        auto r1 = co_await session.get(base + "/");
        EXPECT_EQ(co_await r1.text(), "hello from aiohttp");
        http::query_params q{{"q", "a b&c"}};
        auto r2 = co_await session.get(base + "/json", {.params = q});
        auto j2 = co_await r2.json();
        EXPECT_EQ(j2["q"], "a b&c");
        EXPECT_EQ(j2["ua"], "aio-http");
        http::query_params form{{"x", "1"}, {"y", "two words"}};
        auto r3 = co_await session.post(base + "/echo", {.data = form});
        auto j3 = co_await r3.json();
        EXPECT_EQ(j3["form"]["y"], "two words");
        const std::string big(200000, 'b');
        auto r4 = co_await session.post(base + "/echo", {.body = big, .chunked = true});
        EXPECT_EQ((co_await r4.json())["len"], 200000);
        auto r5 = co_await session.get(base + "/gzip");
        EXPECT_NE(r5.headers().get("Content-Encoding", ""), "");  // aiohttp picks deflate or gzip
        EXPECT_EQ(co_await r5.text(), std::string(10000, 'z'));
        auto r6 = co_await session.get(base + "/stream");
        std::string streamed;
        while (true) {
          std::string chunk = co_await r6.content().read_chunk(7);
          if (chunk.empty()) break;
          streamed += chunk;
        }
        EXPECT_EQ(streamed, "part0;part1;part2;part3;part4;");
        auto r7 = co_await session.get(base + "/redirect");
        EXPECT_EQ((co_await r7.json())["q"], "redirected");
        EXPECT_EQ(r7.history().size(), 1U);
        co_await (co_await session.get(base + "/cookie")).read();
        auto r8 = co_await session.get(base + "/show-cookie");
        EXPECT_EQ(co_await r8.text(), "v");
        auto ws = co_await session.ws_connect(base + "/ws");
        co_await ws.send_str("ping");
        auto msg = co_await ws.receive();
        EXPECT_EQ(msg.data, "echo:ping");
        co_await ws.close();
        co_await session.close();
        p.terminate();
        co_await p.wait();
      }(),
      k_real);
}

// ---- aiohttp's server: streamed uploads and Expect: 100-continue ---------------------------------
// (client_upload: the rest of that suite, against aio's own server and a raw one, is
// tests/unit/http/client/upload_test.cpp.)

constexpr const char* k_aiohttp_upload_server = R"PY(
import asyncio
from aiohttp import web

async def upload(request):
    n = 0
    async for chunk in request.content.iter_any():
        n += len(chunk)
    return web.Response(text="%d %s %s" % (n, request.headers.get("Expect", "-"),
                                          request.headers.get("Transfer-Encoding", "-")))

async def main():
    app = web.Application()
    app.router.add_post("/upload", upload)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
)PY";

using upload_test::chunks;

TEST(client_upload, aiohttp_server_takes_streams_and_answers_100_continue) {
  if (!have_aiohttp()) GTEST_SKIP() << "python3-aiohttp is not installed";
  aio_test::run(
      []() -> aio::coro<> {
        aio::subprocess_options po;
        po.stdout_ = aio::pipe;
        const std::vector<std::string> args{"-c", k_aiohttp_upload_server};
        aio::process p = co_await aio::create_subprocess_exec(k_python, args, po);
        const std::string port = co_await p.stdout_().readline();
        const std::string url = "http://127.0.0.1:" + port.substr(0, port.size() - 1) + "/upload";
        http::client_session session;
        chunks gen{100, 64 * 1024};
        auto r = co_await session.post(url, {.stream = gen});
        EXPECT_EQ(co_await r.text(), "6553600 - chunked");
        const std::string body(100000, 'e');
        // expect100_timeout unset: wait as aiohttp does; aiohttp's server does send 100.
        auto r2 =
            co_await session.post(url, {.body = body, .expect100 = true, .expect100_timeout = std::nullopt});
        EXPECT_EQ(co_await r2.text(), "100000 100-continue -");
        chunks more{10, 1000};
        auto r3 = co_await session.post(url, {.stream = more, .expect100 = true});
        EXPECT_EQ(co_await r3.text(), "10000 100-continue chunked");
        co_await session.close();
        p.kill();
        co_await p.wait();
      }(),
      k_real);
}

std::uint16_t free_port() {
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

TEST(client_interop, nginx) {
  const std::string nginx = std::filesystem::exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "";
  if (nginx.empty()) GTEST_SKIP() << "nginx is not installed";
  std::string dir = (std::filesystem::temp_directory_path() / "aio-nginx-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  // nginx's workers may run as another user (root starts them as nobody): let them read the files.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                        std::filesystem::perms::group_exec |
                                        std::filesystem::perms::others_read |
                                        std::filesystem::perms::others_exec);
  std::filesystem::create_directories(dir + "/www");
  std::filesystem::create_directories(dir + "/logs");
  std::ofstream(dir + "/www/index.html") << "<h1>nginx static</h1>\n";
  std::ofstream(dir + "/www/big.txt") << std::string(300000, 'n');
  const std::uint16_t port = free_port();
  std::ofstream(dir + "/nginx.conf")
      << "worker_processes 1;\npid " << dir << "/nginx.pid;\nerror_log " << dir << "/logs/error.log;\n"
      << "events { worker_connections 64; }\nhttp {\n  access_log off;\n  client_body_temp_path " << dir
      << "/tmp;\n  proxy_temp_path " << dir << "/tmp;\n  fastcgi_temp_path " << dir
      << "/tmp;\n  uwsgi_temp_path " << dir << "/tmp;\n  scgi_temp_path " << dir
      << "/tmp;\n  gzip on;\n  gzip_types text/plain;\n  gzip_min_length 100;\n"
      << "  types { text/html html; text/plain txt; }\n  server {\n    listen 127.0.0.1:" << port
      << ";\n    root " << dir << "/www;\n    location = /old { return 301 /index.html; }\n  }\n}\n";
  aio_test::run(
      [](std::string nginx_bin, std::string d, std::uint16_t port) -> aio::coro<> {
        const std::vector<std::string> args{"-p", d, "-c", d + "/nginx.conf", "-g", "daemon off;"};
        aio::process p = co_await aio::create_subprocess_exec(nginx_bin, args);
        const std::string base = "http://127.0.0.1:" + std::to_string(port);
        http::client_session session;
        // nginx needs a moment to listen: retry the first request while the port is refused.
        http::client_response r1;
        for (int i = 0; i < 200; ++i) {
          bool refused = false;
          try {
            r1 = co_await session.get(base + "/index.html");
          } catch (const http::client_connector_error&) {
            refused = true;
          }
          if (!refused) break;
          co_await aio::sleep(20ms);
        }
        EXPECT_EQ(r1.status(), 200);
        EXPECT_EQ(co_await r1.text(), "<h1>nginx static</h1>\n");
        auto r2 = co_await session.get(base + "/old");
        EXPECT_EQ(r2.history().size(), 1U);
        EXPECT_EQ(r2.status(), 200);
        EXPECT_EQ(co_await r2.text(), "<h1>nginx static</h1>\n");
        auto r3 = co_await session.get(base + "/big.txt");
        EXPECT_EQ(r3.headers().get("Content-Encoding", ""), "gzip");
        EXPECT_EQ((co_await r3.read()).size(), 300000U);
        auto r4 = co_await session.get(base + "/missing");
        EXPECT_EQ(r4.status(), 404);
        co_await r4.read();
        auto r5 = co_await session.head(base + "/index.html");
        EXPECT_EQ(r5.content_length(), 22U);
        EXPECT_EQ(session.idle_connections(), 1U);
        co_await session.close();
        p.terminate();
        co_await p.wait();
      }(nginx, dir, port),
      k_real);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
