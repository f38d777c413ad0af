// UTF-8 validation for WebSocket text: an ASCII fast path and a per-character range check.
//
// Well-formed sequences (Unicode table 3-7) are a lead byte followed by 1-3 continuation bytes, each
// in 80..BF except the first continuation after four leads, which is narrowed to exclude overlongs
// (E0, F0), surrogates (ED) and code points above U+10FFFF (F4). So the state between bytes is just
// "how many continuation bytes are owed, and the range of the next one". While four bytes remain, a
// whole character is checked at once; only a piece's last bytes go through that state.

#include <array>
#include <cstring>

#include "utf8_validator.hpp"

namespace aio::http::detail {
namespace {

constexpr std::uint64_t high_bits = 0x8080808080808080ULL;

// The range of the first continuation byte after lead byte `c` (the later ones are all 80..BF), and
// how many continuation bytes follow; `need == 0` marks a byte that cannot start a character.
struct lead_info {
  std::uint8_t need;
  std::uint8_t lo;
  std::uint8_t hi;
};

constexpr lead_info classify(unsigned c) noexcept {
  if (c >= 0xC2 && c <= 0xDF) return {1, 0x80, 0xBF};
  if (c == 0xE0) return {2, 0xA0, 0xBF};  // no overlong three-byte forms
  if (c == 0xED) return {2, 0x80, 0x9F};  // no surrogates
  if (c >= 0xE1 && c <= 0xEF) return {2, 0x80, 0xBF};
  if (c == 0xF0) return {3, 0x90, 0xBF};  // no overlong four-byte forms
  if (c == 0xF4) return {3, 0x80, 0x8F};  // nothing above U+10FFFF
  if (c >= 0xF1 && c <= 0xF3) return {3, 0x80, 0xBF};
  return {0, 0, 0};  // a stray continuation byte, C0, C1 (overlong two-byte) or F5..FF
}

// One entry per byte value, built at compile time: a lookup instead of a chain of comparisons.
constexpr std::array<lead_info, 256> lead_table = [] {
  std::array<lead_info, 256> t{};
  for (unsigned c = 0; c < 256; ++c) t[c] = classify(c);
  return t;
}();

lead_info lead(unsigned char c) noexcept { return lead_table[c]; }

bool is_continuation(unsigned char c) noexcept { return (c & 0xC0U) == 0x80U; }

}  // namespace

bool utf8_validator::feed(std::string_view bytes) noexcept {
  if (m_failed) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* const end = p + bytes.size();
  // Finish a character left open by the previous piece, byte by byte.
  while (m_need != 0 && p != end) {
    const unsigned char c = *p++;
    if (c < m_lo || c > m_hi) {
      m_failed = true;
      return false;
    }
    --m_need;
    m_lo = 0x80;
    m_hi = 0xBF;
  }
  // Fast path: whole characters while at least four bytes remain, ASCII runs 16 bytes at a time.
  while (end - p >= 4) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      while (end - p >= 16) {
        std::uint64_t a = 0;
        std::uint64_t b = 0;
        std::memcpy(&a, p, 8);
        std::memcpy(&b, p + 8, 8);
        if (((a | b) & high_bits) != 0) break;
        p += 16;
      }
      continue;
    }
    // The stride comes from arithmetic on c, not from the table, so that finding the next character
    // waits on one load, not two; the table's verdict is checked off that path (and predicted).
    const unsigned need = 1U + static_cast<unsigned>(c >= 0xE0) + static_cast<unsigned>(c >= 0xF0);
    const lead_info l = lead(c);
    if (l.need != need || p[1] < l.lo || p[1] > l.hi ||
        (need >= 2 && (!is_continuation(p[2]) || (need == 3 && !is_continuation(p[3]))))) {
      m_failed = true;
      return false;
    }
    p += 1 + need;
  }
  // The last few bytes, which may leave a character open for the next piece.
  while (p != end) {
    const unsigned char c = *p++;
    if (m_need == 0) {
      if (c < 0x80) continue;
      const lead_info l = lead(c);
      if (l.need == 0) {
        m_failed = true;
        return false;
      }
      m_need = l.need;
      m_lo = l.lo;
      m_hi = l.hi;
      continue;
    }
    if (c < m_lo || c > m_hi) {
      m_failed = true;
      return false;
    }
    --m_need;
    m_lo = 0x80;
    m_hi = 0xBF;
  }
  return true;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
  utf8_validator v;
  return v.feed(bytes) && v.complete();
}

}  // namespace aio::http::detail
