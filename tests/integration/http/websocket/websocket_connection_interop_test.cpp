// websocket_connection against another implementation: Python's `websockets` package, in both
// directions (its server with our client, its client with our server), as a child process.

#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../../../unit/http/websocket/websocket_connection_support.hpp"
#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using aio::http::websocket_connection;
using aio::http::ws_message;
using aio::http::ws_msg_type;

namespace {

using aio_test::k_real;

/// A Python interpreter that can `import websockets`, or "" (the tests then skip).
const std::string& python_with_websockets() {
  static const std::string found = [] {
    for (const char* candidate : {"/usr/bin/python3", "python3"}) {
      const std::string cmd = std::string(candidate) + " -c 'import websockets' >/dev/null 2>&1";
      if (std::system(cmd.c_str()) == 0) return std::string(candidate);  // NOLINT(cert-env33-c): test only
    }
    return std::string();
  }();
  return found;
}

// ---- a Python server, our client -----------------------------------------------------------------

/// Echoes messages; a few texts are commands. Prints its port, then one line per finished connection
/// with the close code and reason it received. Stops when stdin closes.
constexpr const char* k_python_server = R"PY(
import asyncio, sys, websockets

async def handler(ws, path=None):
    try:
        async for msg in ws:
            if msg == "frag":
                await ws.send(["frag-%d;" % i for i in range(50)])
            elif msg == "bad-utf8":
                await ws.write_frame(True, 0x1, b"ok \xff")
            elif msg == "close-4001":
                await ws.close(4001, "server says bye")
            else:
                await ws.send(msg)
    except websockets.ConnectionClosed:
        pass
    print("closed", ws.close_code, ws.close_reason, flush=True)

async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
)PY";

aio::coro<websocket_connection> connect_to(std::uint16_t port) {
  auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
  std::string host_port = "127.0.0.1:" + std::to_string(port);
  std::string path = "/";
  std::string no_frames;
  std::string rest = co_await ws_conn_test::client_upgrade(r, w, std::move(host_port), std::move(path),
                                                           std::move(no_frames));
  co_return websocket_connection(std::move(r), std::move(w), aio::http::ws_role::client, {}, std::move(rest));
}

aio::coro<> client_against_python(std::string python) {
  std::vector<std::string> args{"-c", k_python_server};
  aio::process py = co_await aio::create_subprocess_exec(python, std::move(args),
                                                         {.stdin_ = aio::pipe, .stdout_ = aio::pipe});
  const std::uint16_t port = static_cast<std::uint16_t>(std::stoi(co_await py.stdout_().readline()));

  {  // echo of every kind, fragments from the peer, then the peer closes with its own code
    websocket_connection ws = co_await connect_to(port);
    co_await ws.send_str("hello ☃");
    EXPECT_EQ(co_await ws.receive_str(), "hello ☃");
    std::string all_bytes;
    for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
    co_await ws.send_bytes(all_bytes);
    EXPECT_EQ(co_await ws.receive_bytes(), all_bytes);
    const std::string big(3 * 1024 * 1024, 'q');
    co_await ws.send_str(big);
    EXPECT_EQ(co_await ws.receive_str(), big);
    co_await ws.send_str("frag");
    std::string joined;
    for (int i = 0; i < 50; ++i) joined += "frag-" + std::to_string(i) + ";";
    EXPECT_EQ(co_await ws.receive_str(), joined);
    co_await ws.send_str("close-4001");
    const ws_message m = co_await ws.receive();
    EXPECT_EQ(m.type, ws_msg_type::close);
    EXPECT_EQ(m.close_code, 4001);
    EXPECT_EQ(m.extra, "server says bye");
    EXPECT_EQ((co_await ws.receive()).type, ws_msg_type::closed);
    EXPECT_EQ(ws.close_code(), std::optional<std::uint16_t>(4001));
    EXPECT_EQ(co_await py.stdout_().readline(), "closed 4001 server says bye\n");
  }
  {  // invalid UTF-8 from the peer: we close with 1007, and the peer sees 1007
    websocket_connection ws = co_await connect_to(port);
    co_await ws.send_str("bad-utf8");
    const ws_message m = co_await ws.receive();
    EXPECT_EQ(m.type, ws_msg_type::error);
    EXPECT_EQ(m.close_code, aio::http::ws_close_code::invalid_payload);
    EXPECT_EQ(co_await py.stdout_().readline(), "closed 1007 text message is not valid UTF-8\n");
  }
  {  // we close: the peer sees our code and reason and echoes them
    websocket_connection ws = co_await connect_to(port);
    EXPECT_TRUE(co_await ws.close(4002, "client bye"));
    EXPECT_EQ(ws.close_code(), std::optional<std::uint16_t>(4002));
    EXPECT_FALSE(ws.exception());
    EXPECT_EQ(co_await py.stdout_().readline(), "closed 4002 client bye\n");
  }
  py.stdin_().close();
  EXPECT_EQ(co_await py.wait(), 0);
}

TEST(websocket_interop, our_client_against_a_python_websockets_server) {
  if (python_with_websockets().empty())
    GTEST_SKIP() << "python3 with the websockets package is not installed";
  aio_test::run(client_against_python(python_with_websockets()), k_real);
}

// ---- a Python client, our server -----------------------------------------------------------------

/// Runs its scenarios against ws://127.0.0.1:<argv[1]>/ and prints one result line each.
constexpr const char* k_python_client = R"PY(
import asyncio, sys, websockets

async def main(port):
    uri = "ws://127.0.0.1:%s/" % port
    async with websockets.connect(uri, max_size=None) as ws:
        await ws.send("hello")
        print("text", await ws.recv() == "echo: hello")
        b = bytes(range(256))
        await ws.send(b)
        print("binary", await ws.recv() == b)
        big = "x" * (2 * 1024 * 1024)
        await ws.send(big)
        print("big", await ws.recv() == "echo: " + big)
        parts = ["part%d," % i for i in range(100)]
        await ws.send(parts)
        print("fragmented", await ws.recv() == "echo: " + "".join(parts))
        pong = await ws.ping(b"are you there")
        await pong
        print("pong", True)
        await ws.close(4003, "py bye")
        print("close", ws.close_code, ws.close_reason)
    async with websockets.connect(uri) as ws:
        await ws.write_frame(True, 0x1, b"bad \xc3\x28")
        try:
            await ws.recv()
        except websockets.ConnectionClosed as e:
            print("utf8", e.rcvd.code if e.rcvd else None)
    async with websockets.connect(uri) as ws:
        await ws.send("please-close")
        try:
            await ws.recv()
        except websockets.ConnectionClosed as e:
            print("server-close", e.rcvd.code, e.rcvd.reason)

asyncio.run(main(sys.argv[1]))
)PY";

/// What our server saw, for the test to check after the Python client is done.
struct server_log {
  std::vector<std::string> events;
};

aio::coro<> serve_one(std::shared_ptr<server_log> log, aio::stream_reader r, aio::stream_writer w) {
  std::string rest = co_await ws_conn_test::accept_upgrade(r, w);
  websocket_connection ws(std::move(r), std::move(w), aio::http::ws_role::server, {}, std::move(rest));
  for (;;) {
    const ws_message msg = co_await ws.receive();
    if (msg.type == ws_msg_type::text && msg.data == "please-close") {
      EXPECT_TRUE(co_await ws.close(4004, "as asked"));
      log->events.push_back("closed by us " + std::to_string(ws.close_code().value_or(0)));
      break;
    }
    if (msg.type == ws_msg_type::text) co_await ws.send_str("echo: " + msg.data);
    if (msg.type == ws_msg_type::binary) co_await ws.send_bytes(msg.data);
    if (msg.type == ws_msg_type::close)
      log->events.push_back("close " + std::to_string(msg.close_code) + " " + msg.extra);
    if (msg.type == ws_msg_type::error) log->events.push_back("error " + std::to_string(msg.close_code));
    if (msg.type == ws_msg_type::closed) break;
  }
}

aio::coro<> python_against_server(std::string python) {
  auto log = std::make_shared<server_log>();
  aio::client_connected_cb cb = [log](aio::stream_reader r, aio::stream_writer w) {
    return serve_one(log, std::move(r), std::move(w));
  };
  aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
  std::vector<std::string> args{"-c", k_python_client, std::to_string(srv.port())};
  aio::process py = co_await aio::create_subprocess_exec(python, std::move(args), {.stdout_ = aio::pipe});
  const aio::communicate_result out = co_await py.communicate();
  EXPECT_EQ(py.returncode(), 0);
  EXPECT_EQ(out.stdout_,
            "text True\nbinary True\nbig True\nfragmented True\npong True\nclose 4003 py bye\n"
            "utf8 1007\nserver-close 4004 as asked\n");
  srv.close();
  co_await srv.wait_closed();
  const std::vector<std::string> expected{"close 4003 py bye", "error 1007", "closed by us 4004"};
  EXPECT_EQ(log->events, expected);
}

TEST(websocket_interop, a_python_websockets_client_against_our_server) {
  if (python_with_websockets().empty())
    GTEST_SKIP() << "python3 with the websockets package is not installed";
  aio_test::run(python_against_server(python_with_websockets()), k_real);
}

}  // namespace
