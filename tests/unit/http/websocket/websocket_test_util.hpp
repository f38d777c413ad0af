#pragma once
// Helpers shared by the WebSocket tests: raw frame bytes built by hand (independently of
// ws_encoder, so the decoder is not tested against its own mirror) and a decode-everything loop.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "../../../../src/http/websocket/ws_decoder.hpp"

namespace ws_test {

/// Bytes from a list of integers, for frames copied from RFC 6455.
inline std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (const int b : v) s.push_back(static_cast<char>(b));
  return s;
}

/// One frame: first byte `b0` (FIN, RSV, opcode), then the length in its shortest form (or the
/// 8-byte form when `long_length`), the key when `masked`, and the masked payload.
inline std::string frame(int b0, std::string_view payload, bool masked, std::uint32_t key = 0x37FA213D,
                         bool long_length = false) {
  std::string s;
  s.push_back(static_cast<char>(b0));
  const int m = masked ? 0x80 : 0;
  const std::uint64_t n = payload.size();
  if (n < 126 && !long_length) {
    s.push_back(static_cast<char>(m | static_cast<int>(n)));
  } else if (n <= 0xFFFF && !long_length) {
    s.push_back(static_cast<char>(m | 126));
    s.push_back(static_cast<char>(n >> 8U));
    s.push_back(static_cast<char>(n & 0xFFU));
  } else {
    s.push_back(static_cast<char>(m | 127));
    for (int sh = 56; sh >= 0; sh -= 8)
      s.push_back(static_cast<char>((n >> static_cast<unsigned>(sh)) & 0xFFU));
  }
  const unsigned char k[4] = {static_cast<unsigned char>(key >> 24U), static_cast<unsigned char>(key >> 16U),
                              static_cast<unsigned char>(key >> 8U), static_cast<unsigned char>(key)};
  if (masked) s.append(reinterpret_cast<const char*>(k), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    s.push_back(masked ? static_cast<char>(static_cast<unsigned char>(payload[i]) ^ k[i % 4]) : payload[i]);
  }
  return s;
}

/// A frame as a client sends it (masked), for a server-side decoder.
inline std::string client_frame(int b0, std::string_view payload) { return frame(b0, payload, true); }
/// A frame as a server sends it (unmasked), for a client-side decoder.
inline std::string server_frame(int b0, std::string_view payload) { return frame(b0, payload, false); }

/// Every message `input` decodes to, fed in pieces of `step` bytes (0: all at once).
inline std::vector<aio::http::ws_message> decode_all(aio::http::ws_decoder& dec, std::string_view input,
                                                     std::size_t step = 0) {
  std::vector<aio::http::ws_message> out;
  if (step == 0) step = input.size() + 1;
  while (true) {
    std::string_view piece = input.substr(0, step);
    input.remove_prefix(piece.size());
    while (auto m = dec.feed(piece)) out.push_back(std::move(*m));
    if (input.empty()) break;
  }
  return out;
}

/// Decodes `input` with a fresh decoder of `role`, all at once.
inline std::vector<aio::http::ws_message> decode(
    aio::http::ws_role role, std::string_view input,
    std::size_t max_msg_size = aio::http::ws_default_max_msg_size) {
  aio::http::ws_decoder dec(role, max_msg_size);
  return decode_all(dec, input);
}

}  // namespace ws_test
