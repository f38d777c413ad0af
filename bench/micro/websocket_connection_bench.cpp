// Micro-benchmarks of websocket_connection over loopback TCP (no HTTP handshake: the connection does
// not need one): a request/response round trip through an echo server, and one-way streaming.
// These include the kernel's loopback path, so they measure the connection layer plus two syscalls
// per message, not the codec alone (bench/micro/websocket_bench.cpp measures that).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "aio/aio.hpp"

namespace {

using aio::http::websocket_connection;
using aio::http::ws_msg_type;
using aio::http::ws_role;

/// Echoes every message until the peer closes.
aio::coro<> echo_server(aio::stream_reader r, aio::stream_writer w) {
  websocket_connection ws(std::move(r), std::move(w), ws_role::server);
  for (;;) {
    const aio::http::ws_message m = co_await ws.receive();
    if (m.type == ws_msg_type::binary) {
      co_await ws.send_bytes(m.data);
    } else if (m.type != ws_msg_type::text) {
      break;
    }
  }
}

/// Counts messages until the peer closes, then answers "done".
aio::coro<> sink_server(aio::stream_reader r, aio::stream_writer w) {
  websocket_connection ws(std::move(r), std::move(w), ws_role::server);
  std::uint64_t n = 0;
  for (;;) {
    const aio::http::ws_message m = co_await ws.receive();
    if (m.type != ws_msg_type::binary) break;
    if (m.data == "end") {
      co_await ws.send_str(std::to_string(n));
      n = 0;
      continue;
    }
    ++n;
  }
}

aio::coro<websocket_connection> connect(std::uint16_t port) {
  std::string host = "127.0.0.1";
  auto [r, w] = co_await aio::open_connection(host, port);
  co_return websocket_connection(std::move(r), std::move(w), ws_role::client);
}

aio::coro<> finish(websocket_connection& ws, aio::server& srv) {
  (void)co_await ws.close();
  srv.close();
  co_await srv.wait_closed();
}

// One binary message to the echo server and back, per iteration.
void bm_ws_round_trip(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    std::string host = "127.0.0.1";
    aio::server srv = co_await aio::start_server(&echo_server, std::move(host), 0);
    websocket_connection ws = co_await connect(srv.port());
    const std::string payload(static_cast<std::size_t>(st.range(0)), 'x');
    for (auto _ : st) {
      co_await ws.send_bytes(payload);
      const aio::http::ws_message m = co_await ws.receive();
      benchmark::DoNotOptimize(m.data.size());
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * st.range(0) * 2);
    co_await finish(ws, srv);
  }(state));
}
BENCHMARK(bm_ws_round_trip)->Arg(64)->Arg(16384);

// Streaming: the client sends messages back to back; the server receives them (per message).
void bm_ws_stream(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    std::string host = "127.0.0.1";
    aio::server srv = co_await aio::start_server(&sink_server, std::move(host), 0);
    websocket_connection ws = co_await connect(srv.port());
    const std::string payload(static_cast<std::size_t>(st.range(0)), 'x');
    for (auto _ : st) co_await ws.send_bytes(payload);
    co_await ws.send_bytes("end");
    const std::string count = co_await ws.receive_str();
    benchmark::DoNotOptimize(count.size());
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * st.range(0));
    co_await finish(ws, srv);
  }(state));
}
BENCHMARK(bm_ws_stream)->Arg(64)->Arg(16384);

}  // namespace
