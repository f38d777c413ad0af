// Micro-benchmarks of the WebSocket codec (docs/design/websocket.md): decoding with unmasking and
// encoding with masking, 64 B and 16 KiB payloads, against wslay's frame layer when built with
// -DAIO_BENCH_WSLAY and linked with `pkg-config --libs libwslay` (install libwslay-dev first: the test
// command does not; the numbers are in the design note).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "../../src/http/websocket/utf8_validator.hpp"
#include "../../src/http/websocket/ws_decoder.hpp"
#include "../../src/http/websocket/ws_encoder.hpp"
#include "../../src/http/websocket/ws_frame_parser.hpp"
#include "../../src/http/websocket/ws_mask.hpp"

#ifdef AIO_BENCH_WSLAY
#include <wslay/wslay.h>
#endif

namespace {

using aio::http::ws_role;

// One frame of `size` payload bytes as the peer of `role` sends it (clients mask).
std::string one_frame(ws_role sender, std::size_t size, bool text = false) {
  aio::http::ws_encoder enc(sender, 99);
  std::string out;
  if (text) {
    enc.text(out, std::string(size, 't'));
  } else {
    enc.binary(out, std::string(size, 'b'));
  }
  return out;
}

// The full decoder: header checks, unmasking copy into the message, the message returned.
void bm_ws_decode(benchmark::State& state, ws_role role, bool text) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string wire = one_frame(role == ws_role::server ? ws_role::client : ws_role::server, size, text);
  aio::http::ws_decoder dec(role);
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    std::string_view in = wire;
    auto msg = dec.feed(in);
    benchmark::DoNotOptimize(msg->data.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
void bm_ws_decode_masked_binary(benchmark::State& s) { bm_ws_decode(s, ws_role::server, false); }
void bm_ws_decode_unmasked_binary(benchmark::State& s) { bm_ws_decode(s, ws_role::client, false); }
void bm_ws_decode_masked_text(benchmark::State& s) { bm_ws_decode(s, ws_role::server, true); }
BENCHMARK(bm_ws_decode_masked_binary)->Arg(64)->Arg(16384);
BENCHMARK(bm_ws_decode_unmasked_binary)->Arg(64)->Arg(16384);
BENCHMARK(bm_ws_decode_masked_text)->Arg(64)->Arg(16384);

// The frame layer alone, comparable with wslay_frame_recv: parse in place, unmask into a reused
// buffer (no message allocation, no UTF-8, no protocol checks).
void bm_ws_frame_layer_decode_masked(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string wire = one_frame(ws_role::client, size);
  aio::http::detail::ws_frame_parser parser;
  std::string payload;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    std::string_view in = wire;
    payload.clear();
    while (parser.next(in) != aio::http::detail::ws_frame_parser::event::need_more) {
      const std::string_view c = parser.chunk();
      if (c.empty()) continue;
      const std::size_t at = payload.size();
      payload.resize(at + c.size());
      aio::http::detail::ws_mask(payload.data() + at, c.data(), c.size(), parser.header().mask,
                                 parser.chunk_offset());
    }
    benchmark::DoNotOptimize(payload.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
BENCHMARK(bm_ws_frame_layer_decode_masked)->Arg(64)->Arg(16384);

// Encoding a binary message into a reused output buffer, as a client (masked) and as a server.
void bm_ws_encode(benchmark::State& state, ws_role role) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string payload(size, 'e');
  aio::http::ws_encoder enc(role, 5);
  std::string out;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    out.clear();
    enc.binary(out, payload);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
void bm_ws_encode_client_masked(benchmark::State& s) { bm_ws_encode(s, ws_role::client); }
void bm_ws_encode_server(benchmark::State& s) { bm_ws_encode(s, ws_role::server); }
BENCHMARK(bm_ws_encode_client_masked)->Arg(64)->Arg(16384);
BENCHMARK(bm_ws_encode_server)->Arg(64)->Arg(16384);

// UTF-8 validation: ASCII (the fast path) and two-/three-byte text.
void bm_utf8_validate(benchmark::State& state) {
  std::string text;
  const char* unit = state.range(1) == 0 ? "abcdefgh" : "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC";  // "été €"
  while (text.size() < static_cast<std::size_t>(state.range(0))) text += unit;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    benchmark::DoNotOptimize(aio::http::detail::is_valid_utf8(text));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(bm_utf8_validate)->Args({16384, 0})->Args({16384, 1});

#ifdef AIO_BENCH_WSLAY
// wslay's frame layer pulls bytes through a callback into its own 4 KiB buffer and unmasks there;
// the payload is then copied out (as a decoder that builds a message must).
struct wslay_source {
  std::string_view rest;
  std::string* sink = nullptr;
};

ssize_t wslay_recv(std::uint8_t* buf, std::size_t len, int /*flags*/, void* user) {
  auto* src = static_cast<wslay_source*>(user);
  if (src->rest.empty()) return -1;
  const std::size_t n = std::min(len, src->rest.size());
  std::memcpy(buf, src->rest.data(), n);
  src->rest.remove_prefix(n);
  return static_cast<ssize_t>(n);
}

ssize_t wslay_send(const std::uint8_t* data, std::size_t len, int /*flags*/, void* user) {
  static_cast<wslay_source*>(user)->sink->append(reinterpret_cast<const char*>(data), len);
  return static_cast<ssize_t>(len);
}

int wslay_genmask(std::uint8_t* buf, std::size_t len, void* user) {
  // The same xoshiro-quality cost is not needed for the comparison: a counter keeps it cheap.
  static std::uint32_t counter = 0x9E3779B9;
  counter = counter * 1664525U + 1013904223U;
  std::memcpy(buf, &counter, std::min<std::size_t>(len, 4));
  (void)user;
  return 0;
}

void bm_wslay_frame_decode_masked(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string wire = one_frame(ws_role::client, size);
  wslay_source src;
  wslay_frame_callbacks cb{wslay_send, wslay_recv, wslay_genmask};
  wslay_frame_context_ptr ctx = nullptr;
  wslay_frame_context_init(&ctx, &cb, &src);
  std::string payload;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    src.rest = wire;
    payload.clear();
    while (payload.size() < size) {
      wslay_frame_iocb iocb{};
      const ssize_t r = wslay_frame_recv(ctx, &iocb);
      if (r < 0) {
        state.SkipWithError("wslay_frame_recv failed");
        break;
      }
      payload.append(reinterpret_cast<const char*>(iocb.data), iocb.data_length);
    }
    benchmark::DoNotOptimize(payload.data());
  }
  wslay_frame_context_free(ctx);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
BENCHMARK(bm_wslay_frame_decode_masked)->Arg(64)->Arg(16384);

void bm_wslay_frame_encode_masked(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string payload(size, 'e');
  std::string out;
  wslay_source src;
  src.sink = &out;
  wslay_frame_callbacks cb{wslay_send, wslay_recv, wslay_genmask};
  wslay_frame_context_ptr ctx = nullptr;
  wslay_frame_context_init(&ctx, &cb, &src);
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    out.clear();
    wslay_frame_iocb iocb{};
    iocb.fin = 1;
    iocb.opcode = WSLAY_BINARY_FRAME;
    iocb.mask = 1;
    iocb.payload_length = size;
    iocb.data = reinterpret_cast<const std::uint8_t*>(payload.data());
    iocb.data_length = size;
    while (iocb.data_length > 0) {
      const ssize_t r = wslay_frame_send(ctx, &iocb);
      if (r < 0) {
        state.SkipWithError("wslay_frame_send failed");
        break;
      }
      iocb.data += r;
      iocb.data_length -= static_cast<std::size_t>(r);
    }
    benchmark::DoNotOptimize(out.data());
  }
  wslay_frame_context_free(ctx);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
BENCHMARK(bm_wslay_frame_encode_masked)->Arg(64)->Arg(16384);
#endif

}  // namespace
