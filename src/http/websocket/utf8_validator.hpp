#pragma once
/// @file utf8_validator.hpp
/// `aio::http::detail::utf8_validator`: incremental UTF-8 validation for WebSocket text messages.

#include <cstdint>
#include <string_view>

namespace aio::http::detail {

/// Checks that a byte stream, fed in arbitrary pieces, is well-formed UTF-8 (Unicode table 3-7).
///
/// Rejects overlong forms, UTF-16 surrogates (U+D800-U+DFFF), code points above U+10FFFF, stray
/// continuation bytes and the bytes C0, C1, F5-FF. A sequence may be split across `feed` calls (a
/// WebSocket fragment boundary may fall inside a character); `complete()` then says whether the
/// stream ended between characters. Failure is reported at the first byte that cannot continue a
/// well-formed stream, so a receiver can fail fast on a long message (RFC 6455 section 8.1).
///
/// ASCII runs are checked 16 bytes at a time and other characters whole, from a 256-entry table of
/// lead bytes; only a character cut by the end of a piece is carried over, as the number of
/// continuation bytes still owed and the range the next one must fall in.
/// @par Thread safety
/// None: one validator per stream.
class utf8_validator {
 public:
  /// Validates the next piece of the stream. Returns false (and keeps returning false) once the
  /// stream is invalid.
  bool feed(std::string_view bytes) noexcept;
  /// True when everything fed so far is valid and no character is left unfinished.
  [[nodiscard]] bool complete() const noexcept { return m_need == 0 && !m_failed; }
  /// True when everything fed so far could still be the start of a valid stream.
  [[nodiscard]] bool valid_so_far() const noexcept { return !m_failed; }
  /// Forgets everything fed; ready for a new stream.
  void reset() noexcept { *this = utf8_validator(); }

 private:
  std::uint8_t m_need = 0;   // continuation bytes still owed by the current character
  std::uint8_t m_lo = 0x80;  // lowest allowed value of the next continuation byte
  std::uint8_t m_hi = 0xBF;  // highest allowed value of the next continuation byte
  bool m_failed = false;
};

/// True when `bytes` is, as a whole, well-formed UTF-8.
[[nodiscard]] bool is_valid_utf8(std::string_view bytes) noexcept;

}  // namespace aio::http::detail
