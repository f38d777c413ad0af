// The WebSocket encoder: frame headers, client masking with keys from a seeded xoshiro256**, and
// fragmentation. Validation runs before anything is appended, so a throw leaves `out` untouched.

#include "ws_encoder.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "utf8_validator.hpp"
#include "ws_deflate.hpp"

namespace aio::http {
namespace {

constexpr std::size_t max_control_payload = 125;

std::uint64_t rotl(std::uint64_t x, unsigned k) noexcept { return (x << k) | (x >> (64U - k)); }

// splitmix64: spreads a 64-bit seed over the generator's 256-bit state.
std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

}  // namespace

ws_encoder::ws_encoder(ws_role role) : m_role(role) {
  if (role != ws_role::client) return;
  // NOLINTNEXTLINE(bugprone-sizeof-expression): the whole 256-bit state array
  if (RAND_bytes(reinterpret_cast<unsigned char*>(m_state), sizeof m_state) != 1) {
    throw std::runtime_error("aio: RAND_bytes failed to seed the WebSocket masking keys");
  }
  if ((m_state[0] | m_state[1] | m_state[2] | m_state[3]) == 0) m_state[0] = 1;  // the one bad state
}

ws_encoder::ws_encoder(ws_role role, std::uint64_t seed) noexcept : m_role(role) {
  for (auto& s : m_state) s = splitmix64(seed);
}

ws_encoder::ws_encoder(ws_encoder&&) noexcept = default;
ws_encoder& ws_encoder::operator=(ws_encoder&&) noexcept = default;
ws_encoder::~ws_encoder() = default;

void ws_encoder::enable_deflate(const ws_deflate_params& params) {
  const bool client = m_role == ws_role::client;
  const int bits = client ? params.client_max_window_bits : params.server_max_window_bits;
  if (bits < 9) return;  // see the header: messages stay uncompressed
  m_deflater = std::make_unique<detail::ws_deflater>(
      bits, client ? params.client_no_context_takeover : params.server_no_context_takeover);
}

detail::ws_mask_key ws_encoder::next_key() noexcept {
  // xoshiro256** (Blackman and Vigna): fast, 256 bits of state, seeded from the OS CSPRNG.
  const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
  const std::uint64_t t = m_state[1] << 17U;
  m_state[2] ^= m_state[0];
  m_state[3] ^= m_state[1];
  m_state[1] ^= m_state[2];
  m_state[0] ^= m_state[3];
  m_state[2] ^= t;
  m_state[3] = rotl(m_state[3], 45);
  const auto top = static_cast<std::uint32_t>(result >> 32U);  // the best bits of xoshiro256**
  return {static_cast<std::uint8_t>(top >> 24U), static_cast<std::uint8_t>(top >> 16U),
          static_cast<std::uint8_t>(top >> 8U), static_cast<std::uint8_t>(top)};
}

std::size_t ws_encoder::header_size(std::uint64_t payload_size, bool masked) noexcept {
  std::size_t n = 2;
  if (payload_size > 0xFFFF) {
    n += 8;
  } else if (payload_size >= 126) {
    n += 2;
  }
  return masked ? n + 4 : n;
}

void ws_encoder::frame(std::string& out, ws_opcode opcode, std::string_view payload, bool fin, bool rsv1) {
  const bool masked = m_role == ws_role::client;
  const std::uint64_t len = payload.size();
  char h[14];
  std::size_t n = 0;
  h[n++] = static_cast<char>((fin ? 0x80U : 0U) | (rsv1 ? 0x40U : 0U) | static_cast<unsigned>(opcode));
  const unsigned mask_bit = masked ? 0x80U : 0U;
  if (len < 126) {
    h[n++] = static_cast<char>(mask_bit | static_cast<unsigned>(len));
  } else if (len <= 0xFFFF) {
    h[n++] = static_cast<char>(mask_bit | 126U);
    h[n++] = static_cast<char>(len >> 8U);
    h[n++] = static_cast<char>(len);
  } else {
    h[n++] = static_cast<char>(mask_bit | 127U);
    for (int shift = 56; shift >= 0; shift -= 8)
      h[n++] = static_cast<char>(len >> static_cast<unsigned>(shift));
  }
  detail::ws_mask_key key{};
  if (masked) {
    key = next_key();
    for (const auto b : key) h[n++] = static_cast<char>(b);
  }
  out.reserve(out.size() + n + payload.size());
  out.append(h, n);
  const std::size_t at = out.size();
  out.append(payload);
  if (masked) detail::ws_mask(out.data() + at, out.data() + at, payload.size(), key);
}

void ws_encoder::message(std::string& out, ws_opcode opcode, std::string_view payload,
                         std::size_t fragment_size) {
  const bool compressed = m_deflater != nullptr;
  if (compressed) {
    m_compressed.clear();
    m_deflater->compress(payload, m_compressed);
    payload = m_compressed;
  }
  if (fragment_size == 0 || payload.size() <= fragment_size) {
    frame(out, opcode, payload, true, compressed);
  } else {
    ws_opcode op = opcode;
    bool first = true;
    while (!payload.empty()) {
      const std::string_view part = payload.substr(0, fragment_size);
      payload.remove_prefix(part.size());
      frame(out, op, part, payload.empty(), compressed && first);  // RSV1 marks the message, not frames
      op = ws_opcode::continuation;
      first = false;
    }
  }
  if (m_compressed.capacity() > std::size_t{256} * 1024) std::string().swap(m_compressed);
}

void ws_encoder::text(std::string& out, std::string_view payload, std::size_t fragment_size) {
  if (!detail::is_valid_utf8(payload)) throw std::invalid_argument("aio: WebSocket text is not valid UTF-8");
  message(out, ws_opcode::text, payload, fragment_size);
}

void ws_encoder::binary(std::string& out, std::string_view payload, std::size_t fragment_size) {
  message(out, ws_opcode::binary, payload, fragment_size);
}

void ws_encoder::control(std::string& out, ws_opcode opcode, std::string_view payload) {
  if (payload.size() > max_control_payload) {
    throw std::invalid_argument("aio: a WebSocket control frame carries at most 125 bytes");
  }
  frame(out, opcode, payload, true);
}

void ws_encoder::ping(std::string& out, std::string_view payload) { control(out, ws_opcode::ping, payload); }

void ws_encoder::pong(std::string& out, std::string_view payload) { control(out, ws_opcode::pong, payload); }

void ws_encoder::close(std::string& out, std::uint16_t code, std::string_view reason) {
  if (!ws_is_valid_close_code(code)) {
    throw std::invalid_argument("aio: WebSocket close code " + std::to_string(code) + " may not be sent");
  }
  if (reason.size() > max_control_payload - 2) {
    throw std::invalid_argument("aio: a WebSocket close reason is at most 123 bytes");
  }
  if (!detail::is_valid_utf8(reason))
    throw std::invalid_argument("aio: WebSocket close reason is not valid UTF-8");
  char payload[max_control_payload];
  payload[0] = static_cast<char>(code >> 8U);
  payload[1] = static_cast<char>(code & 0xFFU);
  reason.copy(payload + 2, reason.size());
  frame(out, ws_opcode::close, std::string_view(payload, 2 + reason.size()), true);
}

void ws_encoder::close_without_code(std::string& out) { frame(out, ws_opcode::close, {}, true); }

}  // namespace aio::http
