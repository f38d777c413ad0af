#include "../../../../src/http/websocket/ws_encoder.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../../../src/http/websocket/ws_decoder.hpp"
#include "websocket_test_util.hpp"

using aio::http::ws_decoder;
using aio::http::ws_encoder;
using aio::http::ws_message;
using aio::http::ws_msg_type;
using aio::http::ws_opcode;
using aio::http::ws_role;
namespace close_code = aio::http::ws_close_code;
using ws_test::bytes;

namespace {

// The peer's view of what `enc` wrote.
std::vector<ws_message> peer_decode(const ws_encoder& enc, const std::string& wire) {
  ws_decoder dec(enc.role() == ws_role::client ? ws_role::server : ws_role::client);
  return ws_test::decode_all(dec, wire);
}

TEST(websocket_encoder, server_frames_match_rfc_examples) {
  ws_encoder enc(ws_role::server);
  std::string out;
  enc.text(out, "Hello");
  EXPECT_EQ(out, bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  out.clear();
  enc.text(out, "Hello", 3);
  EXPECT_EQ(out, bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}));
  out.clear();
  enc.ping(out, "Hello");
  EXPECT_EQ(out, bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  out.clear();
  enc.binary(out, std::string(256, 'x'));
  EXPECT_EQ(out.substr(0, 4), bytes({0x82, 0x7E, 0x01, 0x00}));
  EXPECT_EQ(out.size(), 260U);
  out.clear();
  enc.binary(out, std::string(65536, 'x'));
  EXPECT_EQ(out.substr(0, 10), bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
  EXPECT_EQ(out.size(), 65546U);
}

TEST(websocket_encoder, header_sizes) {
  EXPECT_EQ(ws_encoder::header_size(0, false), 2U);
  EXPECT_EQ(ws_encoder::header_size(125, false), 2U);
  EXPECT_EQ(ws_encoder::header_size(126, false), 4U);
  EXPECT_EQ(ws_encoder::header_size(65535, true), 8U);
  EXPECT_EQ(ws_encoder::header_size(65536, true), 14U);
}

TEST(websocket_encoder, client_frames_are_masked_and_decode_back) {
  ws_encoder enc(ws_role::client, 42);
  std::string out;
  enc.text(out, "Hello");
  ASSERT_EQ(out.size(), 11U);
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x81);
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x85);  // MASK bit and length 5
  EXPECT_NE(out.substr(6), "Hello");
  EXPECT_EQ(peer_decode(enc, out), std::vector{(ws_message{ws_msg_type::text, "Hello", 0, {}})});
}

TEST(websocket_encoder, every_frame_gets_a_fresh_key) {
  ws_encoder enc(ws_role::client);  // seeded from RAND_bytes
  std::set<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    std::string out;
    enc.ping(out);
    keys.insert(out.substr(2, 4));
  }
  EXPECT_GT(keys.size(), 990U);  // 32-bit keys: a repeat among 1000 is rare, many would be broken
}

TEST(websocket_encoder, seeded_encoders_are_reproducible_and_others_differ) {
  ws_encoder a(ws_role::client, 7);
  ws_encoder b(ws_role::client, 7);
  ws_encoder c(ws_role::client);
  ws_encoder d(ws_role::client);
  std::string wa;
  std::string wb;
  std::string wc;
  std::string wd;
  for (int i = 0; i < 4; ++i) {
    a.binary(wa, "payload");
    b.binary(wb, "payload");
    c.binary(wc, "payload");
    d.binary(wd, "payload");
  }
  EXPECT_EQ(wa, wb);
  EXPECT_NE(wc, wd);
}

TEST(websocket_encoder, round_trip_every_kind_both_roles_and_fragmented) {
  for (const ws_role role : {ws_role::client, ws_role::server}) {
    ws_encoder enc(role, 1);
    std::string out;
    const std::string big(100000, 'q');
    enc.text(out, "h\xC3\xA9llo \xF0\x9F\x98\x80", 3);  // splits inside characters
    enc.binary(out, big, 4096);
    enc.binary(out, "");
    enc.ping(out, "p");
    enc.pong(out, std::string(125, 'o'));
    enc.close(out, close_code::going_away, "bye");
    const std::vector<ws_message> expected{
        {ws_msg_type::text, "h\xC3\xA9llo \xF0\x9F\x98\x80", 0, {}},
        {ws_msg_type::binary, big, 0, {}},
        {ws_msg_type::binary, "", 0, {}},
        {ws_msg_type::ping, "p", 0, {}},
        {ws_msg_type::pong, std::string(125, 'o'), 0, {}},
        {ws_msg_type::close, {}, close_code::going_away, "bye"},
    };
    EXPECT_EQ(peer_decode(enc, out), expected);
  }
}

TEST(websocket_encoder, close_without_code_reads_as_no_status) {
  ws_encoder enc(ws_role::server);
  std::string out;
  enc.close_without_code(out);
  EXPECT_EQ(out, bytes({0x88, 0x00}));
  EXPECT_EQ(peer_decode(enc, out).at(0).close_code, close_code::no_status);
}

TEST(websocket_encoder, fragments_have_the_right_opcodes_and_fin_bits) {
  ws_encoder enc(ws_role::server);
  std::string out;
  enc.binary(out, "abcdefg", 3);
  EXPECT_EQ(out, bytes({0x02, 0x03, 'a', 'b', 'c', 0x00, 0x03, 'd', 'e', 'f', 0x80, 0x01, 'g'}));
}

TEST(websocket_encoder, invalid_arguments_throw_and_append_nothing) {
  ws_encoder enc(ws_role::client, 3);
  std::string out = "kept";
  EXPECT_THROW(enc.text(out, "\xFF"), std::invalid_argument);
  EXPECT_THROW(enc.ping(out, std::string(126, 'x')), std::invalid_argument);
  EXPECT_THROW(enc.pong(out, std::string(126, 'x')), std::invalid_argument);
  EXPECT_THROW(enc.close(out, close_code::normal, std::string(124, 'r')), std::invalid_argument);
  EXPECT_THROW(enc.close(out, close_code::normal, "\xC0\xAF"), std::invalid_argument);
  EXPECT_THROW(enc.close(out, close_code::no_status), std::invalid_argument);
  EXPECT_THROW(enc.close(out, 999), std::invalid_argument);
  EXPECT_EQ(out, "kept");
  enc.close(out, close_code::normal, std::string(123, 'r'));  // the largest allowed reason
  EXPECT_EQ(out.size(), 4U + 2 + 4 + 125);
}

TEST(websocket_encoder, frame_writes_whatever_it_is_given) {
  ws_encoder enc(ws_role::server);
  std::string out;
  enc.frame(out, ws_opcode::text, "ab", false);
  enc.frame(out, ws_opcode::continuation, "c");
  EXPECT_EQ(out, bytes({0x01, 0x02, 'a', 'b', 0x80, 0x01, 'c'}));
}

}  // namespace
