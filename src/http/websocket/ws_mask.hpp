#pragma once
/// @file ws_mask.hpp
/// `aio::http::detail::ws_mask`: the XOR masking of RFC 6455 section 5.3, a machine word at a time.

#include <array>
#include <cstddef>
#include <cstdint>

namespace aio::http::detail {

/// A frame's 4-byte masking key, in wire order.
using ws_mask_key = std::array<std::uint8_t, 4>;

/// Writes `src[i] ^ key[(offset + i) % 4]` to `dst[i]` for `i < n`; `dst == src` unmasks in place.
///
/// `offset` is the position of `src[0]` within the frame's payload, so a payload that arrives in
/// pieces is unmasked piece by piece. Masking and unmasking are the same operation. The bulk is done
/// eight bytes per step with the key repeated into a 64-bit word (loads and stores through
/// `memcpy`, so alignment does not matter), which compilers also vectorise.
/// @par Errors
/// None. Precondition: `dst` and `src` are equal or do not overlap.
void ws_mask(std::uint8_t* dst, const std::uint8_t* src, std::size_t n, ws_mask_key key,
             std::uint64_t offset = 0) noexcept;

/// `ws_mask` for `char` buffers (strings and string views).
inline void ws_mask(char* dst, const char* src, std::size_t n, ws_mask_key key,
                    std::uint64_t offset = 0) noexcept {
  // Viewing a char buffer as unsigned char is always allowed (the two may alias anything).
  ws_mask(reinterpret_cast<std::uint8_t*>(dst), reinterpret_cast<const std::uint8_t*>(src), n, key, offset);
}

}  // namespace aio::http::detail
