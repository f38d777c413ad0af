// permessage-deflate against other implementations, over real sockets: Python's `websockets` (which
// negotiates compression by default) as server for session.ws_connect and as client of aio's
// websocket_response, and aiohttp's ws_connect(compress=15) as client.

#include <cstdlib>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace http = aio::http;

namespace {

using aio_test::k_real;
constexpr const char* k_python = "/usr/bin/python3";

bool python_has(const char* module) {
  const std::string cmd = std::string(k_python) + " -c 'import " + module + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;  // NOLINT(cert-env33-c): test only
}

/// Echoes; "bomb" sends 64 MiB of zeros (about 64 KiB compressed). Prints its port, then the
/// negotiated extension header and the close code of each connection.
constexpr const char* k_websockets_server = R"PY(
import asyncio, sys, websockets

async def handler(ws, path=None):
    print("ext", ws.response_headers.get("Sec-WebSocket-Extensions"), flush=True)
    try:
        async for msg in ws:
            if msg == "bomb":
                await ws.send(b"\0" * (64 << 20))
            else:
                await ws.send(msg)
    except websockets.ConnectionClosed:
        pass
    print("closed", ws.close_code, flush=True)

async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
)PY";

TEST(websocket_deflate_interop, ws_connect_compress_against_python_websockets) {
  if (!python_has("websockets")) GTEST_SKIP() << "python3 websockets is not installed";
  aio_test::run(
      []() -> aio::coro<> {
        std::vector<std::string> args{"-c", k_websockets_server};
        aio::process py = co_await aio::create_subprocess_exec(k_python, std::move(args),
                                                               {.stdin_ = aio::pipe, .stdout_ = aio::pipe});
        const std::string port = co_await py.stdout_().readline();
        const std::string url = "ws://127.0.0.1:" + port.substr(0, port.size() - 1) + "/";
        http::client_session session;
        http::ws_connect_options wo;
        wo.ws.compress = true;
        wo.ws.max_msg_size = std::size_t{1} << 20U;
        {
          auto ws = co_await session.ws_connect(url, wo);
          const std::string ext = co_await py.stdout_().readline();
          EXPECT_EQ(ext.rfind("ext permessage-deflate", 0), 0U) << ext;
          EXPECT_TRUE(ws.deflate().has_value());
          // Many messages both ways: the windows carry over (context takeover) on both sides.
          for (int i = 0; i < 20; ++i) {
            const std::string text = "message " + std::to_string(i) + " " + std::string(5000, 'w');
            co_await ws.send_str(text);
            EXPECT_EQ(co_await ws.receive_str(), text);
          }
          std::string bin(300000, '\0');
          for (std::size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<char>((i * 7) % 251);
          co_await ws.send_bytes(bin);
          EXPECT_EQ(co_await ws.receive_bytes(), bin);
          co_await ws.close();
          EXPECT_EQ(co_await py.stdout_().readline(), "closed 1000\n");
        }
        {  // a deflate bomb: 64 MiB inflated from 64 KiB, over our 1 MiB limit: 1009 both sides
          auto ws = co_await session.ws_connect(url, wo);
          (void)co_await py.stdout_().readline();
          co_await ws.send_str("bomb");
          const http::ws_message m = co_await ws.receive();
          EXPECT_EQ(m.type, http::ws_msg_type::error);
          EXPECT_EQ(m.close_code, http::ws_close_code::message_too_big);
          EXPECT_EQ(co_await py.stdout_().readline(), "closed 1009\n");
        }
        {  // without compress: nothing offered, nothing negotiated
          auto ws = co_await session.ws_connect(url);
          EXPECT_EQ(co_await py.stdout_().readline(), "ext None\n");
          EXPECT_FALSE(ws.deflate().has_value());
          co_await ws.send_str("plain");
          EXPECT_EQ(co_await ws.receive_str(), "plain");
          co_await ws.close();
          (void)co_await py.stdout_().readline();
        }
        co_await session.close();
        py.stdin_().close();
        EXPECT_EQ(co_await py.wait(), 0);
      }(),
      k_real);
}

/// A Python client (websockets, or aiohttp with compress=15): sends a large repetitive text and a
/// few small ones, prints what was negotiated and whether every echo matched.
constexpr const char* k_websockets_client = R"PY(
import asyncio, sys, websockets

async def main(url):
    async with websockets.connect(url, max_size=None) as ws:
        print("ext", ws.response_headers.get("Sec-WebSocket-Extensions"), flush=True)
        ok = True
        for text in ["abc" * 100000, "one", "two", "one"]:
            await ws.send(text)
            ok = ok and (await ws.recv()) == "echo:" + text
        print("echo", ok, flush=True)

asyncio.run(main(sys.argv[1]))
)PY";

constexpr const char* k_aiohttp_client = R"PY(
import asyncio, sys, aiohttp

async def main(url):
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(url, compress=15) as ws:
            print("compress", ws.compress, flush=True)
            ok = True
            for text in ["xyz" * 100000, "small"]:
                await ws.send_str(text)
                ok = ok and (await ws.receive_str()) == "echo:" + text
            print("echo", ok, flush=True)

asyncio.run(main(sys.argv[1]))
)PY";

aio::coro<std::vector<std::string>> run_python(const char* script, std::string url) {
  std::vector<std::string> args{"-c", script, std::move(url)};
  aio::process py = co_await aio::create_subprocess_exec(k_python, std::move(args), {.stdout_ = aio::pipe});
  std::vector<std::string> lines;
  for (;;) {
    std::string line = co_await py.stdout_().readline();
    if (line.empty()) break;
    lines.push_back(line);
  }
  EXPECT_EQ(co_await py.wait(), 0);
  co_return lines;
}

TEST(websocket_deflate_interop, python_clients_against_websocket_response_compress) {
  const bool ws_lib = python_has("websockets");
  const bool aiohttp = python_has("aiohttp");
  if (!ws_lib && !aiohttp) GTEST_SKIP() << "neither websockets nor aiohttp is installed for python3";
  aio_test::run(
      [](bool ws_lib, bool aiohttp) -> aio::coro<> {
        http::application app;
        int compressed = 0;
        app.router().add_get("/ws", [&compressed](http::request& req) -> aio::coro<http::response> {
          http::websocket_response ws({.compress = true});
          co_await ws.prepare(req);
          compressed += ws.connection().deflate().has_value() ? 1 : 0;
          while (auto msg = co_await ws.next()) {
            if (msg->type == http::ws_msg_type::text) co_await ws.send_str("echo:" + msg->data);
          }
          co_return ws;
        });
        auto srv = co_await http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::string url = "ws://127.0.0.1:" + std::to_string(srv.port()) + "/ws";
        if (ws_lib) {
          auto lines = co_await run_python(k_websockets_client, url);
          EXPECT_EQ(lines.size(), 2U);
          lines.resize(2);
          EXPECT_EQ(lines[0].rfind("ext permessage-deflate", 0), 0U) << lines[0];
          EXPECT_EQ(lines[1], "echo True\n");
        }
        if (aiohttp) {
          auto lines = co_await run_python(k_aiohttp_client, url);
          EXPECT_EQ(lines.size(), 2U);
          lines.resize(2);
          EXPECT_EQ(lines[0], "compress 15\n");
          EXPECT_EQ(lines[1], "echo True\n");
        }
        EXPECT_EQ(compressed, (ws_lib ? 1 : 0) + (aiohttp ? 1 : 0));
        co_await srv.shutdown();
      }(ws_lib, aiohttp),
      k_real);
}

}  // namespace
