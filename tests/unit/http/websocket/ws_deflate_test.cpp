// permessage-deflate (RFC 7692): the negotiation helpers, and the encoder and decoder once it is
// enabled (compression both ways, context takeover, RSV1 rules, the decompressed-size limit).

#include "aio/http/websocket/ws_deflate_params.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../../../src/http/websocket/ws_decoder.hpp"
#include "../../../../src/http/websocket/ws_encoder.hpp"
#include "aio/http/websocket/ws_close_code.hpp"
#include "websocket_test_util.hpp"

namespace http = aio::http;
using http::ws_deflate_params;
using http::ws_header;
using http::ws_msg_type;
using http::ws_role;

namespace {

std::optional<std::pair<ws_deflate_params, std::string>> negotiate(std::string_view offer) {
  const std::vector<ws_header> h{{"Sec-WebSocket-Extensions", offer}};
  return http::ws_negotiate_deflate(h);
}

std::pair<std::optional<ws_deflate_params>, std::string> parse_answer(std::string_view answer) {
  const std::vector<ws_header> h{{"sec-websocket-extensions", answer}};
  return http::ws_parse_deflate_response(h);
}

/// A client encoder and a server decoder that agreed on `p`.
struct pipe {
  explicit pipe(const ws_deflate_params& p, std::size_t limit = http::ws_default_max_msg_size)
      : enc(ws_role::client, 1), dec(ws_role::server, limit) {
    enc.enable_deflate(p);
    dec.enable_deflate(p);
  }
  http::ws_encoder enc;
  http::ws_decoder dec;
};

TEST(websocket_extensions, the_client_offer_is_what_aiohttp_and_browsers_send) {
  EXPECT_EQ(http::ws_deflate_offer(), "permessage-deflate; client_max_window_bits");
}

TEST(websocket_extensions, a_server_accepts_the_first_offer_it_can_honour) {
  auto plain = negotiate("permessage-deflate; client_max_window_bits");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->second, "permessage-deflate");
  EXPECT_EQ(plain->first, ws_deflate_params{});

  auto asked = negotiate(
      "permessage-deflate; server_max_window_bits=10; client_no_context_takeover; "
      "server_no_context_takeover");
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->second,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10");
  EXPECT_EQ(asked->first.server_max_window_bits, 10);
  EXPECT_TRUE(asked->first.server_no_context_takeover);
  EXPECT_TRUE(asked->first.client_no_context_takeover);

  // Malformed or unknown offers are skipped for the next one.
  auto second = negotiate(
      "x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=16, permessage-deflate; "
      "bogus, permessage-deflate; server_max_window_bits=\"11\"");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->first.server_max_window_bits, 11);

  EXPECT_FALSE(negotiate("x-webkit-deflate-frame"));
  EXPECT_FALSE(negotiate("permessage-deflate; server_no_context_takeover; server_no_context_takeover"));
  EXPECT_FALSE(negotiate("permessage-deflate; client_no_context_takeover=1"));
  EXPECT_FALSE(negotiate("permessage-deflate; server_max_window_bits"));
  const std::vector<ws_header> none{{"Host", "x"}};
  EXPECT_FALSE(http::ws_negotiate_deflate(none));
}

TEST(websocket_extensions, a_client_checks_the_servers_answer) {
  auto [p, err] = parse_answer("permessage-deflate; server_max_window_bits=12; client_max_window_bits=12");
  ASSERT_TRUE(p) << err;
  EXPECT_EQ(p->server_max_window_bits, 12);
  EXPECT_EQ(p->client_max_window_bits, 12);

  EXPECT_FALSE(parse_answer("permessage-deflate; client_max_window_bits").first);  // needs a value
  EXPECT_FALSE(parse_answer("permessage-deflate; client_max_window_bits=7").first);
  EXPECT_FALSE(parse_answer("permessage-deflate; mystery").first);
  EXPECT_FALSE(parse_answer("permessage-deflate, permessage-deflate").first);
  auto [q, why] = parse_answer("x-foo");
  EXPECT_FALSE(q);
  EXPECT_NE(why.find("did not offer"), std::string::npos);
  auto [none, no_error] = parse_answer("");
  EXPECT_FALSE(none);
  EXPECT_TRUE(no_error.empty());
}

TEST(websocket_extensions, rfc7692_hello_decodes) {
  // RFC 7692 section 7.2.3.1: "Hello" compressed, unmasked, from a server.
  http::ws_decoder dec(ws_role::client);
  dec.enable_deflate({});
  auto msgs =
      ws_test::decode_all(dec, ws_test::bytes({0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  ASSERT_EQ(msgs.size(), 1U);
  EXPECT_EQ(msgs[0].type, ws_msg_type::text);
  EXPECT_EQ(msgs[0].data, "Hello");
  // The same message in two fragments, RSV1 on the first only (section 7.2.3.1 too).
  http::ws_decoder dec2(ws_role::client);
  dec2.enable_deflate({});
  auto frags = ws_test::decode_all(
      dec2, ws_test::bytes({0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00}));
  ASSERT_EQ(frags.size(), 1U);
  EXPECT_EQ(frags[0].data, "Hello");
}

TEST(websocket_extensions, messages_round_trip_compressed_with_rsv1) {
  pipe p({});
  const std::string text(10000, 'a');
  std::string wire;
  p.enc.text(wire, text);
  EXPECT_EQ(static_cast<unsigned char>(wire[0]), 0xC1U);  // FIN, RSV1, text
  EXPECT_LT(wire.size(), 200U);
  p.enc.binary(wire, std::string("\x00\x01\x02", 3));
  p.enc.text(wire, "");
  p.enc.ping(wire, "p");
  p.enc.text(wire, "after the empty one", 4);  // fragmented: RSV1 on its first frame only
  for (std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
    pipe q({});
    std::string again;
    q.enc.text(again, text);
    q.enc.binary(again, std::string("\x00\x01\x02", 3));
    q.enc.text(again, "");
    q.enc.ping(again, "p");
    q.enc.text(again, "after the empty one", 4);
    auto msgs = ws_test::decode_all(q.dec, again, step);
    ASSERT_EQ(msgs.size(), 5U) << step;
    EXPECT_EQ(msgs[0].data, text);
    EXPECT_EQ(msgs[1].type, ws_msg_type::binary);
    EXPECT_EQ(msgs[1].data, std::string("\x00\x01\x02", 3));
    EXPECT_EQ(msgs[2].data, "");
    EXPECT_EQ(msgs[3].type, ws_msg_type::ping);
    EXPECT_EQ(msgs[4].data, "after the empty one");
  }
}

TEST(websocket_extensions, context_takeover_shrinks_repeated_messages_unless_refused) {
  const std::string text = "the same sentence, repeated in every message of the conversation";
  pipe keep({});
  std::string first;
  std::string second;
  keep.enc.text(first, text);
  keep.enc.text(second, text);
  EXPECT_LT(second.size(), first.size() - 20);  // a back-reference into the previous message
  auto msgs = ws_test::decode_all(keep.dec, first + second);
  ASSERT_EQ(msgs.size(), 2U);
  EXPECT_EQ(msgs[1].data, text);

  ws_deflate_params reset;
  reset.client_no_context_takeover = true;
  pipe fresh(reset);
  std::string a;
  std::string b;
  fresh.enc.text(a, text);
  fresh.enc.text(b, text);
  EXPECT_EQ(a.size(), b.size());
  auto again = ws_test::decode_all(fresh.dec, a + b);
  ASSERT_EQ(again.size(), 2U);
  EXPECT_EQ(again[1].data, text);
}

TEST(websocket_extensions, a_window_of_eight_bits_sends_uncompressed) {
  ws_deflate_params p;
  p.client_max_window_bits = 8;  // zlib cannot produce it: RSV1 stays off, which the peer accepts
  pipe eight(p);
  EXPECT_FALSE(eight.enc.deflating());
  std::string wire;
  eight.enc.text(wire, "plain");
  EXPECT_EQ(static_cast<unsigned char>(wire[0]), 0x81U);
  auto msgs = ws_test::decode_all(eight.dec, wire);
  ASSERT_EQ(msgs.size(), 1U);
  EXPECT_EQ(msgs[0].data, "plain");
}

TEST(websocket_extensions, rsv1_without_negotiation_is_a_protocol_error) {
  auto msgs = ws_test::decode(ws_role::server, ws_test::client_frame(0xC1, "x"));
  ASSERT_EQ(msgs.size(), 1U);
  EXPECT_EQ(msgs[0].type, ws_msg_type::error);
  EXPECT_EQ(msgs[0].close_code, http::ws_close_code::protocol_error);
}

TEST(websocket_extensions, rsv1_on_a_control_or_continuation_frame_is_a_protocol_error) {
  for (const std::string& wire :
       {ws_test::client_frame(0xC9, ""),                                       // ping with RSV1
        ws_test::client_frame(0x01, "ab") + ws_test::client_frame(0xC0, "c"),  // continuation with RSV1
        ws_test::client_frame(0xA1, "x")}) {                                   // RSV2
    http::ws_decoder dec(ws_role::server);
    dec.enable_deflate({});
    auto msgs = ws_test::decode_all(dec, wire);
    ASSERT_FALSE(msgs.empty());
    EXPECT_EQ(msgs.back().type, ws_msg_type::error);
    EXPECT_EQ(msgs.back().close_code, http::ws_close_code::protocol_error) << msgs.back().extra;
  }
}

TEST(websocket_extensions, a_deflate_bomb_is_message_too_big_not_memory) {
  // 64 MiB of zeros compress to about 64 KiB; the decoder stops at its 1 MiB limit.
  http::ws_encoder enc(ws_role::server);
  enc.enable_deflate({});
  std::string wire;
  enc.binary(wire, std::string(std::size_t{64} << 20U, '\0'));
  EXPECT_LT(wire.size(), std::size_t{128} * 1024);
  http::ws_decoder dec(ws_role::client, std::size_t{1} << 20U);
  dec.enable_deflate({});
  auto msgs = ws_test::decode_all(dec, wire, 4096);
  ASSERT_EQ(msgs.size(), 1U);
  EXPECT_EQ(msgs[0].type, ws_msg_type::error);
  EXPECT_EQ(msgs[0].close_code, http::ws_close_code::message_too_big);
  EXPECT_TRUE(dec.finished());
}

TEST(websocket_extensions, bad_deflate_data_and_bad_utf8_inside_are_errors) {
  http::ws_decoder dec(ws_role::client);
  dec.enable_deflate({});
  auto bad = ws_test::decode_all(dec, ws_test::server_frame(0xC2, "\xff\xff\xff\xff"));
  ASSERT_EQ(bad.size(), 1U);
  EXPECT_EQ(bad[0].close_code, http::ws_close_code::protocol_error);

  http::ws_encoder enc(ws_role::server);
  enc.enable_deflate({});
  std::string wire;
  enc.binary(wire, "ok \xff");  // compressed as binary, then relabelled text
  wire[0] = static_cast<char>(0xC1);
  http::ws_decoder dec2(ws_role::client);
  dec2.enable_deflate({});
  auto utf8 = ws_test::decode_all(dec2, wire);
  ASSERT_EQ(utf8.size(), 1U);
  EXPECT_EQ(utf8[0].close_code, http::ws_close_code::invalid_payload);
}

TEST(websocket_extensions, uncompressed_messages_still_pass_once_enabled) {
  http::ws_decoder dec(ws_role::server);
  dec.enable_deflate({});
  auto msgs = ws_test::decode_all(dec, ws_test::client_frame(0x81, "plain"));
  ASSERT_EQ(msgs.size(), 1U);
  EXPECT_EQ(msgs[0].data, "plain");
}

}  // namespace
