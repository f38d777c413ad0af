#include "../../../../src/http/websocket/ws_frame_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../../../src/http/websocket/ws_mask.hpp"
#include "websocket_test_util.hpp"

using aio::http::detail::ws_frame_parser;
using aio::http::detail::ws_mask;
using aio::http::detail::ws_mask_key;
using event = ws_frame_parser::event;

namespace {

// The property that decided against wslay (docs/design/websocket.md): a frame that is wholly in the
// connection's read buffer is parsed where it lies. The payload chunk is a view into that buffer,
// not a copy in a library-owned buffer, so the decoder's unmasking copy into the message is the only
// copy of the payload.
TEST(websocket_frame_parser, payload_is_a_view_into_the_callers_buffer) {
  const std::string payload(16384, 'p');
  const std::string buffer = ws_test::frame(0x82, payload, true, 0x01020304);
  ws_frame_parser parser;
  std::string_view in = buffer;
  ASSERT_EQ(parser.next(in), event::header);
  EXPECT_EQ(parser.header().length, payload.size());
  EXPECT_TRUE(parser.header().masked);
  EXPECT_EQ(parser.header().mask, (ws_mask_key{1, 2, 3, 4}));
  ASSERT_EQ(parser.next(in), event::payload);
  EXPECT_TRUE(parser.frame_done());
  EXPECT_EQ(parser.chunk().size(), payload.size());
  EXPECT_EQ(parser.chunk().data(), buffer.data() + 8);  // 2 + 2 (16-bit length) + 4 (key)
  EXPECT_TRUE(in.empty());
}

TEST(websocket_frame_parser, header_split_byte_by_byte) {
  const std::string buffer =
      ws_test::frame(0x81, std::string(70000, 'x'), true, 0xA1B2C3D4);  // 14-byte header
  ws_frame_parser parser;
  for (std::size_t i = 0; i + 1 < 14; ++i) {
    std::string_view one = std::string_view(buffer).substr(i, 1);
    EXPECT_EQ(parser.next(one), event::need_more) << i;
    EXPECT_TRUE(one.empty());
  }
  std::string_view rest = std::string_view(buffer).substr(13);
  ASSERT_EQ(parser.next(rest), event::header);
  EXPECT_TRUE(parser.header().fin);
  EXPECT_EQ(parser.header().opcode, 1);
  EXPECT_EQ(parser.header().length, 70000U);
  EXPECT_EQ(parser.header().mask, (ws_mask_key{0xA1, 0xB2, 0xC3, 0xD4}));
  // The payload arrives in pieces; offsets track where each chunk sits.
  std::uint64_t seen = 0;
  while (!rest.empty()) {
    std::string_view piece = rest.substr(0, 999);
    rest.remove_prefix(piece.size());
    ASSERT_EQ(parser.next(piece), event::payload);
    EXPECT_EQ(parser.chunk_offset(), seen);
    seen += parser.chunk().size();
    EXPECT_EQ(parser.frame_done(), seen == 70000);
  }
  EXPECT_EQ(seen, 70000U);
}

TEST(websocket_frame_parser, empty_payload_gets_one_empty_chunk) {
  const std::string buffer = ws_test::frame(0x89, "", false) + ws_test::frame(0x8A, "x", false);
  ws_frame_parser parser;
  std::string_view in = buffer;
  ASSERT_EQ(parser.next(in), event::header);
  ASSERT_EQ(parser.next(in), event::payload);
  EXPECT_TRUE(parser.chunk().empty());
  EXPECT_TRUE(parser.frame_done());
  ASSERT_EQ(parser.next(in), event::header);
  EXPECT_EQ(parser.header().opcode, 0xA);
  ASSERT_EQ(parser.next(in), event::payload);
  EXPECT_EQ(parser.chunk(), "x");
  EXPECT_EQ(parser.next(in), event::need_more);
}

TEST(websocket_frame_parser, reports_rsv_and_raw_opcode_unjudged) {
  const std::string buffer = ws_test::bytes({0x7B, 0x00});  // FIN clear, RSV1-3 set, opcode 0xB
  ws_frame_parser parser;
  std::string_view in = buffer;
  ASSERT_EQ(parser.next(in), event::header);
  EXPECT_FALSE(parser.header().fin);
  EXPECT_EQ(parser.header().rsv, 7);
  EXPECT_EQ(parser.header().opcode, 0xB);
  EXPECT_FALSE(parser.header().masked);
}

// ---- masking ------------------------------------------------------------------------------------

TEST(websocket_mask, matches_the_bytewise_definition_for_every_length_and_offset) {
  const ws_mask_key key{0x37, 0xFA, 0x21, 0x3D};
  std::string src(131, '\0');
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<char>(i * 7 + 3);
  for (std::size_t n = 0; n <= src.size(); ++n) {
    for (std::uint64_t offset = 0; offset < 5; ++offset) {
      std::string dst(n, '\0');
      ws_mask(dst.data(), src.data(), n, key, offset);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(static_cast<unsigned char>(dst[i]),
                  static_cast<unsigned char>(src[i]) ^ key[(offset + i) % 4])
            << "n=" << n << " offset=" << offset << " i=" << i;
      }
    }
  }
}

TEST(websocket_mask, in_place_twice_restores_and_rfc_hello) {
  std::string s = "Hello";
  ws_mask(s.data(), s.data(), s.size(), {0x37, 0xFA, 0x21, 0x3D});
  EXPECT_EQ(s, ws_test::bytes({0x7f, 0x9f, 0x4d, 0x51, 0x58}));  // RFC 6455 section 5.7
  ws_mask(s.data(), s.data(), s.size(), {0x37, 0xFA, 0x21, 0x3D});
  EXPECT_EQ(s, "Hello");
}

}  // namespace
