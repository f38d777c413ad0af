#include "aio/http/websocket/ws_handshake.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

using aio::http::ws_accept_key;
using aio::http::ws_check_request;
using aio::http::ws_check_response;
using aio::http::ws_generate_key;
using aio::http::ws_header;
using aio::http::ws_is_valid_key;

namespace {

constexpr const char* rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
// RFC 6455 section 1.3 (and `printf %s KEY258EAFA5-E914-47DA-95CA-C5AB0DC85B11 | sha1sum`, then base64).
// The value "s3pPLMBiTxaQ9kK+xOo1+0iOzrs=" that circulates in some write-ups is not it.
constexpr const char* rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// The request of RFC 6455 section 1.2.
std::vector<ws_header> rfc_request() {
  return {{"Host", "server.example.com"},   {"Upgrade", "websocket"},
          {"Connection", "Upgrade"},        {"Sec-WebSocket-Key", rfc_key},
          {"Origin", "http://example.com"}, {"Sec-WebSocket-Protocol", "chat, superchat"},
          {"Sec-WebSocket-Version", "13"}};
}

std::vector<ws_header> rfc_response() {
  return {{"Upgrade", "websocket"},
          {"Connection", "Upgrade"},
          {"Sec-WebSocket-Accept", rfc_accept},
          {"Sec-WebSocket-Protocol", "chat"}};
}

// `headers` with every header named `name` removed, then `extra` appended.
std::vector<ws_header> with(std::vector<ws_header> headers, std::string_view name,
                            std::vector<ws_header> extra) {
  std::erase_if(headers, [&](const ws_header& h) { return h.first == name; });
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

TEST(websocket_handshake, rfc_accept_example) { EXPECT_EQ(ws_accept_key(rfc_key), rfc_accept); }

TEST(websocket_handshake, generated_keys_are_valid_and_distinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string k = ws_generate_key();
    EXPECT_TRUE(ws_is_valid_key(k)) << k;
    seen.insert(k);
  }
  EXPECT_EQ(seen.size(), 100U);
}

TEST(websocket_handshake, key_validity) {
  EXPECT_TRUE(ws_is_valid_key(rfc_key));
  EXPECT_TRUE(ws_is_valid_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_FALSE(ws_is_valid_key(""));
  EXPECT_FALSE(ws_is_valid_key("dGhlIHNhbXBsZSBub25jZQ"));  // no padding
  EXPECT_FALSE(ws_is_valid_key(std::string_view(rfc_key).substr(0, 23)));
  EXPECT_FALSE(ws_is_valid_key("dGhlIHNhbXBsZSBub25jZQ=a"));      // bad padding
  EXPECT_FALSE(ws_is_valid_key("dGhlIHNhbXBsZSBub25j*Q=="));      // not base64
  EXPECT_FALSE(ws_is_valid_key("dGhlIHNhbXBsZSBub25jZR=="));      // stray bits after 16 bytes
  EXPECT_FALSE(ws_is_valid_key("c2hvcnQ="));                      // 5 bytes
  EXPECT_FALSE(ws_is_valid_key("dGhpcyBpcyBzZXZlbnRlZW4gYg=="));  // 20 bytes
}

TEST(websocket_handshake, rfc_request_is_accepted) {
  const auto r = ws_check_request("GET", rfc_request());
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.accept, rfc_accept);
  EXPECT_EQ(r.protocols, (std::vector<std::string>{"chat", "superchat"}));
}

TEST(websocket_handshake, request_tokens_are_case_insensitive_lists_and_headers_repeat) {
  auto h = with(rfc_request(), "Connection",
                {{"connection", "keep-alive"}, {"CONNECTION", " keep-alive , UPGRADE"}});
  h = with(h, "Upgrade", {{"upgrade", "WebSocket"}});
  const auto r = ws_check_request("GET", h);
  EXPECT_TRUE(r) << r.error;
}

TEST(websocket_handshake, bad_requests_say_why) {
  struct bad_case {
    std::vector<ws_header> headers;
    const char* method;
    int status;
    const char* mentions;
  };
  const std::vector<bad_case> cases{
      {rfc_request(), "POST", 405, "GET"},
      {with(rfc_request(), "Upgrade", {}), "GET", 400, "Upgrade"},
      {with(rfc_request(), "Upgrade", {{"Upgrade", "h2c"}}), "GET", 400, "Upgrade"},
      {with(rfc_request(), "Connection", {}), "GET", 400, "upgrade"},
      {with(rfc_request(), "Connection", {{"Connection", "keep-alive"}}), "GET", 400, "upgrade"},
      {with(rfc_request(), "Connection", {{"Connection", "upgrades"}}), "GET", 400, "upgrade"},
      {with(rfc_request(), "Sec-WebSocket-Version", {}), "GET", 426, "Version"},
      {with(rfc_request(), "Sec-WebSocket-Version", {{"Sec-WebSocket-Version", "8"}}), "GET", 426, "13"},
      {with(rfc_request(), "Sec-WebSocket-Key", {}), "GET", 400, "Key"},
      {with(rfc_request(), "Sec-WebSocket-Key", {{"Sec-WebSocket-Key", "c2hvcnQ="}}), "GET", 400, "16 bytes"},
      {with(rfc_request(), "Sec-WebSocket-Key",
            {{"Sec-WebSocket-Key", rfc_key}, {"Sec-WebSocket-Key", rfc_key}}),
       "GET", 400, "more than one"},
  };
  for (const auto& c : cases) {
    const auto r = ws_check_request(c.method, c.headers);
    EXPECT_FALSE(r);
    EXPECT_EQ(r.status, c.status) << r.error;
    EXPECT_NE(r.error.find(c.mentions), std::string::npos) << r.error;
    EXPECT_TRUE(r.accept.empty());
  }
}

TEST(websocket_handshake, rfc_response_is_accepted) {
  const std::vector<std::string> offered{"chat", "superchat"};
  const auto r = ws_check_response(101, rfc_response(), rfc_key, offered);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.protocol, "chat");
  const auto none = ws_check_response(101, with(rfc_response(), "Sec-WebSocket-Protocol", {}), rfc_key);
  ASSERT_TRUE(none) << none.error;
  EXPECT_EQ(none.protocol, "");
}

TEST(websocket_handshake, bad_responses_say_why) {
  const std::vector<std::string> offered{"chat"};
  struct bad_case {
    int status;
    std::vector<ws_header> headers;
    const char* mentions;
  };
  const std::vector<bad_case> cases{
      {200, rfc_response(), "200"},
      {101, with(rfc_response(), "Upgrade", {}), "Upgrade"},
      {101, with(rfc_response(), "Connection", {{"Connection", "close"}}), "upgrade"},
      {101, with(rfc_response(), "Sec-WebSocket-Accept", {}), "Accept"},
      {101, with(rfc_response(), "Sec-WebSocket-Accept", {{"Sec-WebSocket-Accept", rfc_key}}),
       "does not match"},
      {101, with(rfc_response(), "X", {{"Sec-WebSocket-Extensions", "permessage-deflate"}}), "extension"},
      {101, with(rfc_response(), "Sec-WebSocket-Protocol", {{"Sec-WebSocket-Protocol", "superchat"}}),
       "superchat"},
      {101, with(rfc_response(), "Sec-WebSocket-Protocol", {{"Sec-WebSocket-Protocol", "chat, chat"}}),
       "more than one"},
  };
  for (const auto& c : cases) {
    const auto r = ws_check_response(c.status, c.headers, rfc_key, offered);
    EXPECT_FALSE(r);
    EXPECT_NE(r.error.find(c.mentions), std::string::npos) << r.error;
  }
}

}  // namespace
