#include "../../../../src/http/websocket/utf8_validator.hpp"

#include <gtest/gtest.h>

#include <string>

using aio::http::detail::is_valid_utf8;
using aio::http::detail::utf8_validator;

namespace {

// Every encoding of a code point, written out by hand from the bit patterns of RFC 3629.
std::string encode(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6U)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3FU)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12U)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6U) & 0x3FU)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3FU)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18U)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12U) & 0x3FU)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6U) & 0x3FU)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3FU)));
  }
  return s;
}

TEST(websocket_utf8, every_scalar_value_is_valid_and_every_surrogate_is_not) {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(is_valid_utf8(encode(cp)), !surrogate) << std::hex << static_cast<unsigned>(cp);
  }
}

TEST(websocket_utf8, beyond_u10ffff_is_invalid) {
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF7\xBF\xBF\xBF"));          // U+1FFFFF
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));      // five-byte form
  EXPECT_FALSE(is_valid_utf8("\xFC\x84\x80\x80\x80\x80"));  // six-byte form
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(websocket_utf8, overlong_forms_are_invalid) {
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // NUL in two bytes
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // '/' in two bytes
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // U+007F in two bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // '/' in three bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in three bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));           // U+0080, the smallest two-byte value
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));       // U+0800
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));   // U+10000
}

TEST(websocket_utf8, surrogates_are_invalid_alone_and_paired) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80\xED\xB0\x80"));  // a CESU-8 pair
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));               // U+D7FF
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));               // U+E000
}

TEST(websocket_utf8, stray_and_missing_continuation_bytes) {
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("a\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));
  EXPECT_FALSE(is_valid_utf8("\xC3("));
  EXPECT_FALSE(is_valid_utf8("\xE2(\xA1"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98\x80\x80"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8(std::string(1, '\0')));
  EXPECT_TRUE(is_valid_utf8("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"));  // Autobahn's "kosme"
}

TEST(websocket_utf8, long_ascii_runs_with_a_bad_byte_anywhere) {
  // The 16-byte fast path must not skip a bad byte at any position or alignment.
  for (std::size_t len = 1; len < 70; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      std::string s(len, 'a');
      s[pos] = '\x80';
      ASSERT_FALSE(is_valid_utf8(s)) << len << " " << pos;
      s[pos] = '\xFF';
      ASSERT_FALSE(is_valid_utf8(std::string_view(s).substr(0)));
    }
    EXPECT_TRUE(is_valid_utf8(std::string(len, 'a')));
  }
}

TEST(websocket_utf8, sequences_split_at_every_boundary) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    utf8_validator v;
    ASSERT_TRUE(v.feed(std::string_view(text).substr(0, cut)));
    ASSERT_TRUE(v.feed(std::string_view(text).substr(cut)));
    EXPECT_TRUE(v.complete()) << cut;
  }
  // Byte by byte, with complete() true only between characters.
  utf8_validator v;
  const bool boundary[] = {true, true, false, true, false, false, true, false, false, false, true, true};
  for (std::size_t i = 0; i < text.size(); ++i) {
    ASSERT_TRUE(v.feed(std::string_view(text).substr(i, 1)));
    EXPECT_EQ(v.complete(), boundary[i + 1]) << i;
  }
}

TEST(websocket_utf8, invalid_bytes_are_caught_across_a_split) {
  // Each of these is refused at its second byte, whichever feed call that byte arrives in.
  for (const char* bad_bytes : {"\xED\xA0\x80", "\xE0\x80\xAF", "\xF4\x90\x80\x80", "\xF0\x8F\xBF\xBF"}) {
    const std::string bad = bad_bytes;
    for (std::size_t cut = 1; cut < bad.size(); ++cut) {
      utf8_validator v;
      EXPECT_EQ(v.feed(bad.substr(0, cut)), cut < 2) << cut;
      v.feed(bad.substr(cut));
      EXPECT_FALSE(v.complete()) << cut;
      EXPECT_FALSE(v.valid_so_far());
    }
  }
}

TEST(websocket_utf8, failure_is_sticky_and_reset_clears_it) {
  utf8_validator v;
  EXPECT_FALSE(v.feed("\xFF"));
  EXPECT_FALSE(v.feed("a"));
  EXPECT_FALSE(v.complete());
  v.reset();
  EXPECT_TRUE(v.feed("a"));
  EXPECT_TRUE(v.complete());
}

}  // namespace
