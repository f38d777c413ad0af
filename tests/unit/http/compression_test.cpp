// Tests of the private gzip/deflate codec (src/http/compression.hpp).
#include "../../../src/http/compression.hpp"

#include <gtest/gtest.h>

#include <string>

#include "aio/http/body_error.hpp"

namespace {

using aio::http::body_error;
using aio::http::body_too_large_error;
using aio::http::detail::content_coding;

std::string sample() {
  std::string s;
  for (int i = 0; i < 2000; ++i) s += "line " + std::to_string(i) + " of a compressible body\n";
  return s;
}

TEST(http_compression, parse_content_coding) {
  using aio::http::detail::parse_content_coding;
  EXPECT_EQ(parse_content_coding("gzip"), content_coding::gzip);
  EXPECT_EQ(parse_content_coding(" X-GZIP "), content_coding::gzip);
  EXPECT_EQ(parse_content_coding("Deflate"), content_coding::deflate);
  EXPECT_EQ(parse_content_coding("identity"), content_coding::identity);
  EXPECT_EQ(parse_content_coding(""), content_coding::identity);
  EXPECT_FALSE(parse_content_coding("br"));
  EXPECT_FALSE(parse_content_coding("gzip, br"));
}

TEST(http_compression, round_trips_gzip_and_deflate) {
  auto body = sample();
  for (auto coding : {content_coding::gzip, content_coding::deflate, content_coding::identity}) {
    auto packed = aio::http::detail::compress(body, coding);
    if (coding != content_coding::identity) {
      EXPECT_LT(packed.size(), body.size() / 4);
    }
    EXPECT_EQ(aio::http::detail::decompress(packed, coding, 1 << 20), body);
  }
  auto gz = aio::http::detail::compress("x", content_coding::gzip);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1fU);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8bU);
}

TEST(http_compression, streaming_decode_byte_by_byte) {
  auto body = sample();
  auto packed = aio::http::detail::compress(body, content_coding::gzip, 9);
  aio::http::detail::decompressor d(content_coding::gzip, 1 << 20);
  std::string out;
  for (char c : packed) d.feed(std::string_view(&c, 1), out);
  d.finish();
  EXPECT_EQ(out, body);
  EXPECT_EQ(d.total_out(), body.size());
}

TEST(http_compression, raw_deflate_is_accepted) {
  // "hello" as a raw deflate stream (RFC 1951, no zlib header), as some servers send it.
  const unsigned char raw[] = {0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
  std::string_view in(reinterpret_cast<const char*>(raw), sizeof raw);
  EXPECT_EQ(aio::http::detail::decompress(in, content_coding::deflate, 100), "hello");
}

TEST(http_compression, zip_bomb_stops_at_the_limit) {
  std::string zeros(50 * 1024 * 1024, '\0');  // 50 MiB of zeros packs to ~50 KiB
  auto bomb = aio::http::detail::compress(zeros, content_coding::gzip, 9);
  EXPECT_LT(bomb.size(), 100U * 1024);
  aio::http::detail::decompressor d(content_coding::gzip, 1 << 20);
  std::string out;
  EXPECT_THROW(d.feed(bomb, out), body_too_large_error);
  EXPECT_LE(out.size(), std::size_t{1} << 20);
  EXPECT_THROW((void)aio::http::detail::decompress("abc", content_coding::identity, 2), body_too_large_error);
}

TEST(http_compression, corrupt_and_truncated_input) {
  EXPECT_THROW((void)aio::http::detail::decompress("not gzip at all", content_coding::gzip, 1000),
               body_error);
  auto packed = aio::http::detail::compress(sample(), content_coding::gzip);
  EXPECT_THROW((void)aio::http::detail::decompress(std::string_view(packed).substr(0, packed.size() / 2),
                                                   content_coding::gzip, 1 << 20),
               body_error);
  EXPECT_THROW((void)aio::http::detail::decompress(packed + "trailing", content_coding::gzip, 1 << 20),
               body_error);
  EXPECT_THROW((void)aio::http::detail::decompress("", content_coding::gzip, 10), body_error);
  // Flip a byte in the middle: the CRC or the stream structure catches it.
  packed[packed.size() / 2] = static_cast<char>(packed[packed.size() / 2] ^ 0x55);
  EXPECT_THROW((void)aio::http::detail::decompress(packed, content_coding::gzip, 1 << 20), body_error);
}

TEST(http_compression, streaming_encoder_pieces_decode_as_they_arrive) {
  for (auto coding : {content_coding::gzip, content_coding::deflate}) {
    aio::http::detail::compressor enc(coding);
    aio::http::detail::decompressor dec(coding, 1 << 24);
    std::string decoded;
    std::string all;
    for (int i = 0; i < 200; ++i) {
      const std::string piece = "piece " + std::to_string(i) + " of a stream\n";
      all += piece;
      std::string wire;
      enc.feed(piece, wire);
      EXPECT_FALSE(wire.empty());
      dec.feed(wire, decoded);
      EXPECT_EQ(decoded, all) << "piece " << i << " was held back (no sync flush)";
    }
    std::string big = sample() + sample();  // larger than zlib's output buffer in one feed
    std::string wire;
    enc.feed(big, wire);
    enc.feed("", wire);  // nothing to do
    enc.finish(wire);
    enc.finish(wire);  // harmless twice
    dec.feed(wire, decoded);
    dec.finish();
    EXPECT_EQ(decoded, all + big);
    std::string more;
    EXPECT_THROW(enc.feed("late", more), std::logic_error);
  }
  EXPECT_THROW(aio::http::detail::compressor{content_coding::identity}, std::invalid_argument);
  EXPECT_THROW((aio::http::detail::compressor{content_coding::gzip, 42}), std::invalid_argument);
  // An empty stream is still a valid one.
  aio::http::detail::compressor empty(content_coding::gzip);
  std::string wire;
  empty.finish(wire);
  EXPECT_EQ(aio::http::detail::decompress(wire, content_coding::gzip, 10), "");
}

TEST(http_compression, negotiate_content_coding) {
  using aio::http::detail::negotiate_content_coding;
  EXPECT_EQ(negotiate_content_coding(std::nullopt), content_coding::identity);
  EXPECT_EQ(negotiate_content_coding(""), content_coding::identity);
  EXPECT_EQ(negotiate_content_coding("gzip"), content_coding::gzip);
  EXPECT_EQ(negotiate_content_coding("deflate, gzip"), content_coding::gzip);  // tie: gzip
  EXPECT_EQ(negotiate_content_coding("deflate"), content_coding::deflate);
  EXPECT_EQ(negotiate_content_coding(" Deflate ; q=0.9 , GZip;q=0.85"), content_coding::deflate);
  EXPECT_EQ(negotiate_content_coding("gzip;q=0"), content_coding::identity);
  EXPECT_EQ(negotiate_content_coding("gzip;q=0.001"), content_coding::gzip);
  EXPECT_EQ(negotiate_content_coding("gzip;q=1.0, identity;q=1"), content_coding::gzip);
  EXPECT_EQ(negotiate_content_coding("gzip;q=0.7, identity"), content_coding::identity);
  EXPECT_EQ(negotiate_content_coding("identity;q=0"), content_coding::identity);  // nothing better
  EXPECT_EQ(negotiate_content_coding("*"), content_coding::gzip);
  EXPECT_EQ(negotiate_content_coding("*;q=0.5, gzip;q=0"), content_coding::deflate);
  EXPECT_EQ(negotiate_content_coding("*;q=0"), content_coding::identity);
  EXPECT_EQ(negotiate_content_coding("br, zstd"), content_coding::identity);
  // Malformed q-values drop their element only.
  EXPECT_EQ(negotiate_content_coding("gzip;q=2, deflate"), content_coding::deflate);
  EXPECT_EQ(negotiate_content_coding("gzip;q=0.1234, deflate;q=0.1"), content_coding::deflate);
  EXPECT_EQ(negotiate_content_coding("gzip;level=1"), content_coding::identity);
  EXPECT_EQ(negotiate_content_coding(",,gzip,,"), content_coding::gzip);
  EXPECT_EQ(aio::http::detail::content_coding_name(content_coding::deflate), "deflate");
}

TEST(http_compression, bounded_steps_hold_input_back) {
  // 8 MiB of zeros compress to a few KiB: fed whole, one feed with a 64 KiB bound appends exactly
  // 64 KiB and keeps the rest of the input; feeding nothing more goes on from there.
  const std::string zeros(std::size_t{8} << 20, '\0');
  for (auto coding : {content_coding::gzip, content_coding::deflate}) {
    const std::string packed = aio::http::detail::compress(zeros, coding, 9);
    ASSERT_LT(packed.size(), std::size_t{64} << 10);
    aio::http::detail::decompressor d(coding, std::size_t{16} << 20);
    std::string out;
    d.feed(packed, out, std::size_t{64} << 10);
    EXPECT_EQ(out.size(), std::size_t{64} << 10);
    EXPECT_TRUE(d.has_pending());
    EXPECT_THROW(d.finish(), body_error);  // not at the end yet
    std::size_t steps = 1;
    while (d.has_pending()) {
      const std::size_t before = out.size();
      d.feed({}, out, std::size_t{64} << 10);
      EXPECT_LE(out.size() - before, std::size_t{64} << 10);
      ++steps;
    }
    EXPECT_EQ(out, zeros);
    // 128 full steps (the last may or may not find the end of the stream too).
    EXPECT_GE(steps, std::size_t{128});
    EXPECT_LE(steps, std::size_t{129});
    d.finish();
  }
}

TEST(http_compression, bounded_steps_with_input_in_pieces) {
  // New input fed while some is held back is decoded after it, in order.
  const std::string body = sample();
  const std::string packed = aio::http::detail::compress(body, content_coding::deflate, 9);
  aio::http::detail::decompressor d(content_coding::deflate, 1 << 20);
  std::string out;
  for (std::size_t i = 0; i < packed.size(); i += 100) {
    d.feed(std::string_view(packed).substr(i, 100), out, 1000);
  }
  while (d.has_pending()) d.feed({}, out, 1000);
  d.finish();
  EXPECT_EQ(out, body);
}

TEST(http_compression, bomb_stops_at_max_output) {
  const std::string zeros(std::size_t{4} << 20, '\0');
  const std::string packed = aio::http::detail::compress(zeros, content_coding::gzip, 9);
  aio::http::detail::decompressor d(content_coding::gzip, std::size_t{1} << 20);
  std::string out;
  EXPECT_THROW(
      {
        d.feed(packed, out, 256 << 10);
        while (d.has_pending()) d.feed({}, out, 256 << 10);
      },
      body_too_large_error);
  EXPECT_LE(out.size(), std::size_t{1} << 20);
}

}  // namespace
