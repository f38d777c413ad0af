#include "../../../../src/http/websocket/ws_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aio/http/websocket/ws_close_code.hpp"
#include "websocket_test_util.hpp"

using aio::http::ws_decoder;
using aio::http::ws_message;
using aio::http::ws_msg_type;
using aio::http::ws_role;
namespace close_code = aio::http::ws_close_code;
using ws_test::bytes;
using ws_test::client_frame;
using ws_test::decode;
using ws_test::server_frame;

namespace {

ws_message msg(ws_msg_type t, std::string data) { return ws_message{t, std::move(data), 0, {}}; }

// Asserts that `input`, decoded by `role`, ends in exactly one error with `code`.
void expect_error(ws_role role, const std::string& input, std::uint16_t code) {
  auto out = decode(role, input);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().type, ws_msg_type::error) << out.back().extra;
  EXPECT_EQ(out.back().close_code, code) << out.back().extra;
  EXPECT_FALSE(out.back().extra.empty());
}

// ---- RFC 6455 section 5.7 -----------------------------------------------------------------------

TEST(websocket_decoder, rfc_single_frame_unmasked_text) {
  EXPECT_EQ(decode(ws_role::client, bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})),
            std::vector{msg(ws_msg_type::text, "Hello")});
}

TEST(websocket_decoder, rfc_single_frame_masked_text) {
  EXPECT_EQ(
      decode(ws_role::server, bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})),
      std::vector{msg(ws_msg_type::text, "Hello")});
}

TEST(websocket_decoder, rfc_fragmented_unmasked_text) {
  EXPECT_EQ(decode(ws_role::client, bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f})),
            std::vector{msg(ws_msg_type::text, "Hello")});
}

TEST(websocket_decoder, rfc_unmasked_ping_and_masked_pong) {
  EXPECT_EQ(decode(ws_role::client, bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})),
            std::vector{msg(ws_msg_type::ping, "Hello")});
  EXPECT_EQ(
      decode(ws_role::server, bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})),
      std::vector{msg(ws_msg_type::pong, "Hello")});
}

TEST(websocket_decoder, rfc_256_bytes_binary_with_16_bit_length) {
  std::string payload(256, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i);
  const std::string input = bytes({0x82, 0x7E, 0x01, 0x00}) + payload;
  EXPECT_EQ(decode(ws_role::client, input), std::vector{msg(ws_msg_type::binary, payload)});
}

TEST(websocket_decoder, rfc_64_kib_binary_with_64_bit_length) {
  std::string payload(65536, 'x');
  const std::string input = bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + payload;
  EXPECT_EQ(decode(ws_role::client, input), std::vector{msg(ws_msg_type::binary, payload)});
}

// ---- reassembly and incremental feeding -----------------------------------------------------------

TEST(websocket_decoder, control_frames_interleaved_in_a_fragmented_message) {
  const std::string input = client_frame(0x01, "Hel") + client_frame(0x89, "p1") + client_frame(0x00, "l") +
                            client_frame(0x8A, "p2") + client_frame(0x80, "o") + client_frame(0x82, "bin");
  const std::vector expected{msg(ws_msg_type::ping, "p1"), msg(ws_msg_type::pong, "p2"),
                             msg(ws_msg_type::text, "Hello"), msg(ws_msg_type::binary, "bin")};
  EXPECT_EQ(decode(ws_role::server, input), expected);
}

TEST(websocket_decoder, empty_frames_and_empty_fragments) {
  const std::string input = server_frame(0x81, "") + server_frame(0x02, "") + server_frame(0x00, "") +
                            server_frame(0x80, "") + server_frame(0x89, "");
  const std::vector expected{msg(ws_msg_type::text, ""), msg(ws_msg_type::binary, ""),
                             msg(ws_msg_type::ping, "")};
  EXPECT_EQ(decode(ws_role::client, input), expected);
}

// The property that decided the design (docs/design/websocket.md): any split of the input, down to
// one byte at a time, gives the same messages as feeding it whole, including headers split inside
// the extended length or the masking key and UTF-8 characters split across fragments.
TEST(websocket_decoder, every_split_of_the_input_gives_the_same_messages) {
  const std::string big(70000, 'b');
  const std::string good = client_frame(0x01, "h\xC3") + client_frame(0x89, "ping") +
                           client_frame(0x00, "\xA9") + client_frame(0x80, "llo \xF0\x9F\x98\x80") +
                           client_frame(0x82, std::string(300, 'm')) + client_frame(0x82, big) +
                           client_frame(0x88, bytes({0x03, 0xE8}) + "bye");
  const std::vector<ws_message> expected{
      msg(ws_msg_type::ping, "ping"), msg(ws_msg_type::text, "h\xC3\xA9llo \xF0\x9F\x98\x80"),
      msg(ws_msg_type::binary, std::string(300, 'm')), msg(ws_msg_type::binary, big),
      ws_message{ws_msg_type::close, {}, close_code::normal, "bye"}};
  for (const std::size_t step : {0, 1, 2, 3, 5, 7, 13, 64, 1000, 4096}) {
    ws_decoder dec(ws_role::server);
    EXPECT_EQ(ws_test::decode_all(dec, good, step), expected) << "step " << step;
    EXPECT_TRUE(dec.finished());
  }
}

TEST(websocket_decoder, feed_stops_after_each_message_and_keeps_the_rest) {
  const std::string input = server_frame(0x81, "one") + server_frame(0x81, "two");
  ws_decoder dec(ws_role::client);
  std::string_view in = input;
  auto first = dec.feed(in);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data, "one");
  EXPECT_EQ(in.size(), 5U);  // the second frame is still in the caller's buffer
  auto second = dec.feed(in);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->data, "two");
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(dec.feed(in));
}

TEST(websocket_decoder, close_frames) {
  auto out = decode(ws_role::server, client_frame(0x88, ""));
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0], (ws_message{ws_msg_type::close, {}, close_code::no_status, {}}));

  out = decode(ws_role::client, server_frame(0x88, bytes({0x0F, 0xA0}) + "app \xE2\x82\xAC"));  // 4000
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0], (ws_message{ws_msg_type::close, {}, 4000, "app \xE2\x82\xAC"}));
}

TEST(websocket_decoder, nothing_is_decoded_after_a_close_frame) {
  const std::string input = server_frame(0x88, bytes({0x03, 0xE9})) + server_frame(0x81, "late");
  ws_decoder dec(ws_role::client);
  std::string_view in = input;
  auto m = dec.feed(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, ws_msg_type::close);
  EXPECT_EQ(m->close_code, close_code::going_away);
  EXPECT_TRUE(dec.finished());
  EXPECT_FALSE(dec.feed(in));
  EXPECT_EQ(in.size(), 6U);
}

TEST(websocket_decoder, message_at_exactly_max_msg_size_is_accepted) {
  const std::string input = client_frame(0x01, std::string(6, 'a')) + client_frame(0x80, std::string(4, 'a'));
  auto out = decode(ws_role::server, input, 10);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].data, std::string(10, 'a'));
}

TEST(websocket_decoder, max_msg_size_zero_means_unlimited) {
  const std::string payload(5U << 20U, 'z');
  auto out = decode(ws_role::client, server_frame(0x82, payload), 0);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].data.size(), payload.size());
}

TEST(websocket_decoder, default_max_msg_size_is_4_mib) {
  EXPECT_EQ(ws_decoder(ws_role::server).max_msg_size(), 4U << 20U);
  EXPECT_EQ(aio::http::ws_default_max_msg_size, 4U << 20U);
}

// ---- every bad input and its close code -----------------------------------------------------------

TEST(websocket_decoder, server_rejects_unmasked_client_frames_with_1002) {
  expect_error(ws_role::server, server_frame(0x81, "Hello"), close_code::protocol_error);
  expect_error(ws_role::server, server_frame(0x89, ""), close_code::protocol_error);
}

TEST(websocket_decoder, client_rejects_masked_server_frames_with_1002) {
  expect_error(ws_role::client, client_frame(0x81, "Hello"), close_code::protocol_error);
}

TEST(websocket_decoder, reserved_bits_without_extension_are_1002) {
  for (const int rsv : {0x40, 0x20, 0x10, 0x70}) {
    expect_error(ws_role::server, client_frame(0x81 | rsv, "x"), close_code::protocol_error);
  }
}

TEST(websocket_decoder, reserved_opcodes_are_1002) {
  for (const int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    expect_error(ws_role::server, client_frame(0x80 | op, ""), close_code::protocol_error);
  }
}

TEST(websocket_decoder, control_frame_over_125_bytes_is_1002) {
  expect_error(ws_role::server, client_frame(0x89, std::string(126, 'p')), close_code::protocol_error);
  expect_error(ws_role::client, server_frame(0x8A, std::string(126, 'p')), close_code::protocol_error);
  expect_error(ws_role::client, server_frame(0x88, bytes({0x03, 0xE8}) + std::string(124, 'r')),
               close_code::protocol_error);
  EXPECT_EQ(decode(ws_role::server, client_frame(0x89, std::string(125, 'p'))).at(0).type, ws_msg_type::ping);
}

TEST(websocket_decoder, fragmented_control_frame_is_1002) {
  expect_error(ws_role::server, client_frame(0x09, "ping"), close_code::protocol_error);
  expect_error(ws_role::server, client_frame(0x08, ""), close_code::protocol_error);
}

TEST(websocket_decoder, continuation_without_a_message_is_1002) {
  expect_error(ws_role::server, client_frame(0x80, "x"), close_code::protocol_error);
  expect_error(ws_role::server, client_frame(0x81, "a") + client_frame(0x80, "b"),
               close_code::protocol_error);
}

TEST(websocket_decoder, new_message_inside_a_fragmented_one_is_1002) {
  expect_error(ws_role::server, client_frame(0x01, "a") + client_frame(0x81, "b"),
               close_code::protocol_error);
  expect_error(ws_role::server, client_frame(0x02, "a") + client_frame(0x02, "b"),
               close_code::protocol_error);
}

TEST(websocket_decoder, length_with_top_bit_set_is_1002) {
  expect_error(ws_role::client, bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1}), close_code::protocol_error);
}

TEST(websocket_decoder, message_over_max_msg_size_is_1009_before_the_payload_arrives) {
  // Only the header of a 1 MiB frame arrives: the decoder refuses it at once.
  ws_decoder dec(ws_role::client, 1000);
  auto out = ws_test::decode_all(dec, bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x10, 0, 0}));
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].type, ws_msg_type::error);
  EXPECT_EQ(out[0].close_code, close_code::message_too_big);
  // Across fragments: 6 + 5 > 10.
  auto frag = decode(ws_role::server, client_frame(0x01, "aaaaaa") + client_frame(0x80, "aaaaa"), 10);
  ASSERT_EQ(frag.size(), 1U);
  EXPECT_EQ(frag[0].close_code, close_code::message_too_big);
  // The default: 4 MiB + 1 is refused.
  expect_error(ws_role::client, bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x40, 0, 1}), close_code::message_too_big);
}

TEST(websocket_decoder, invalid_utf8_text_is_1007) {
  expect_error(ws_role::server, client_frame(0x81, "\xC0\xAF"), close_code::invalid_payload);  // overlong
  expect_error(ws_role::server, client_frame(0x81, "\xED\xA0\x80"),
               close_code::invalid_payload);  // surrogate
  expect_error(ws_role::server, client_frame(0x81, "\xF4\x90\x80\x80"),
               close_code::invalid_payload);                                                     // >10FFFF
  expect_error(ws_role::server, client_frame(0x81, "ok\xE2\x82"), close_code::invalid_payload);  // truncated
  // A character split across fragments is fine; one cut short at the last fragment is not.
  expect_error(ws_role::server, client_frame(0x01, "\xE2\x82") + client_frame(0x80, "x"),
               close_code::invalid_payload);
  expect_error(ws_role::server, client_frame(0x01, "ab") + client_frame(0x80, "\xF0\x9F"),
               close_code::invalid_payload);
  // Binary messages are not checked.
  EXPECT_EQ(decode(ws_role::server, client_frame(0x82, "\xFF\xFE")).at(0).type, ws_msg_type::binary);
}

TEST(websocket_decoder, invalid_utf8_fails_fast_before_the_message_ends) {
  // The first fragment is already invalid: the error comes without waiting for the final frame.
  ws_decoder dec(ws_role::server);
  auto out = ws_test::decode_all(dec, client_frame(0x01, "abc\xFF"));
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].close_code, close_code::invalid_payload);
}

TEST(websocket_decoder, close_payload_rules) {
  expect_error(ws_role::server, client_frame(0x88, bytes({0x03})), close_code::protocol_error);  // 1 byte
  for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    expect_error(ws_role::server, client_frame(0x88, bytes({code >> 8, code & 0xFF})),
                 close_code::protocol_error);
  }
  for (const int code :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999}) {
    auto out = decode(ws_role::server, client_frame(0x88, bytes({code >> 8, code & 0xFF})));
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0].type, ws_msg_type::close) << code;
    EXPECT_EQ(out[0].close_code, code);
  }
  expect_error(ws_role::server, client_frame(0x88, bytes({0x03, 0xE8}) + "\xCE\xBA\xE1"),
               close_code::invalid_payload);
}

TEST(websocket_decoder, nothing_is_decoded_after_an_error) {
  ws_decoder dec(ws_role::server);
  const std::string input = server_frame(0x81, "unmasked") + client_frame(0x81, "fine");
  std::string_view in = input;
  auto m = dec.feed(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, ws_msg_type::error);
  EXPECT_TRUE(dec.finished());
  EXPECT_FALSE(dec.feed(in));
}

}  // namespace
