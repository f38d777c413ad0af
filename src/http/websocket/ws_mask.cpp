// Masking of WebSocket payloads: XOR with a repeating 4-byte key, eight bytes per step.

#include <cstring>

#include "ws_mask.hpp"

namespace aio::http::detail {

void ws_mask(std::uint8_t* dst, const std::uint8_t* src, std::size_t n, ws_mask_key key,
             std::uint64_t offset) noexcept {
  // Rotate the key so that k[0] applies to src[0]; then position i uses k[i % 4] throughout.
  std::uint8_t k[8];
  for (std::size_t i = 0; i < 4; ++i) k[i] = k[i + 4] = key[(offset + i) % 4];
  std::uint64_t word_key = 0;
  std::memcpy(&word_key, k, 8);  // the key twice, in memory order: right for either endianness
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    std::uint64_t w[4];
    std::memcpy(w, src + i, 32);
    w[0] ^= word_key;
    w[1] ^= word_key;
    w[2] ^= word_key;
    w[3] ^= word_key;
    std::memcpy(dst + i, w, 32);
  }
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, src + i, 8);
    w ^= word_key;
    std::memcpy(dst + i, &w, 8);
  }
  for (; i < n; ++i) dst[i] = static_cast<std::uint8_t>(src[i] ^ k[i % 4]);
}

}  // namespace aio::http::detail
