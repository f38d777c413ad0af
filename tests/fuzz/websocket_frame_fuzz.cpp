// libFuzzer harness for the WebSocket decoder (untrusted bytes from the network).
//
// Build and run by hand (clang only; it is not part of the CMake build):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/websocket_frame_fuzz.cpp src/http/websocket/*.cpp -lcrypto -lz -o /tmp/websocket_frame_fuzz
//   /tmp/websocket_frame_fuzz -max_total_time=30 tests/fuzz/corpus/websocket_frame
//
// The first input byte picks the role, the limit and how the rest is split into feeds; the rest is
// the byte stream. Besides the sanitizers, it checks the decoder's own promises: whatever the split,
// the messages are the same; text is valid UTF-8; no message exceeds the limit; after an error or a
// close nothing more comes out; an error carries one of the three codes. Each input also runs through
// a decoder with permessage-deflate enabled (RSV1 frames go through inflate), always under a limit,
// so a deflate bomb in the corpus shows up as a 1009, never as memory.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "../../src/http/websocket/utf8_validator.hpp"
#include "../../src/http/websocket/ws_decoder.hpp"
#include "aio/http/websocket/ws_close_code.hpp"

namespace {

using aio::http::ws_decoder;
using aio::http::ws_message;
using aio::http::ws_msg_type;

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<ws_message> run(aio::http::ws_role role, std::size_t limit, std::string_view input,
                            std::size_t step, int deflate = -1) {
  ws_decoder dec(role, limit);
  if (deflate >= 0) {  // its two low bits: which side resets its window after each message
    aio::http::ws_deflate_params p;
    p.server_no_context_takeover = (deflate & 1) != 0;
    p.client_no_context_takeover = (deflate & 2) != 0;
    dec.enable_deflate(p);
  }
  std::vector<ws_message> out;
  while (true) {
    std::string_view piece = input.substr(0, step);
    input.remove_prefix(piece.size());
    while (auto m = dec.feed(piece)) {
      check(!out.empty() ? out.back().type != ws_msg_type::close && out.back().type != ws_msg_type::error
                         : true);
      switch (m->type) {
        case ws_msg_type::text:
          check(aio::http::detail::is_valid_utf8(m->data));
          [[fallthrough]];
        case ws_msg_type::binary:
          check(limit == 0 || m->data.size() <= limit);
          break;
        case ws_msg_type::ping:
        case ws_msg_type::pong:
          check(m->data.size() <= 125);
          break;
        case ws_msg_type::close:
          check(dec.finished() && aio::http::detail::is_valid_utf8(m->extra));
          break;
        case ws_msg_type::error:
          check(dec.finished() && (m->close_code == aio::http::ws_close_code::protocol_error ||
                                   m->close_code == aio::http::ws_close_code::invalid_payload ||
                                   m->close_code == aio::http::ws_close_code::message_too_big));
          break;
        case ws_msg_type::closed:
          check(false);
      }
      out.push_back(std::move(*m));
    }
    if (input.empty()) break;
  }
  return out;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t limits[] = {0, 16, 200, aio::http::ws_default_max_msg_size};
  const std::size_t limit = limits[(control >> 1U) & 3U];
  const std::size_t step = 1 + (control >> 3U);  // 1..32 bytes per feed
  for (const auto role : {aio::http::ws_role::server, aio::http::ws_role::client}) {
    const auto whole = run(role, limit, input, input.size() + 1);
    const auto split = run(role, limit, input, (control & 1U) != 0 ? 1 : step);
    check(whole == split);
    const std::size_t bounded = limit == 0 ? std::size_t{1} << 20U : limit;  // inflate is never unbounded
    const int takeover = control & 3;
    const auto inflated = run(role, bounded, input, input.size() + 1, takeover);
    const auto inflated_split = run(role, bounded, input, (control & 1U) != 0 ? 1 : step, takeover);
    check(inflated == inflated_split);
  }
  return 0;
}
