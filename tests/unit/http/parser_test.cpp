// Tests of the private HTTP/1.x parsers (src/http/parser.hpp).
#include "../../../src/http/parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using aio::http::parse_error_kind;
using aio::http::detail::parse_event;
using aio::http::detail::parser_limits;
using aio::http::detail::request_parser;
using aio::http::detail::response_parser;

struct parsed_message {
  aio::http::request_head head;
  std::string body;
  bool complete = false;
};

struct run_result {
  std::vector<parsed_message> messages;
  bool error = false;
  bool upgraded = false;
  std::size_t leftover = 0;  // bytes not consumed (after an upgrade)
};

// Feeds `input` in pieces of `step` bytes, keeping unconsumed bytes as a server's read buffer would.
run_result parse_requests(std::string_view input, std::size_t step = std::string_view::npos,
                          parser_limits limits = {}, request_parser* external = nullptr) {
  request_parser local(limits);
  request_parser& p = external != nullptr ? *external : local;
  run_result r;
  std::string buffer;
  std::size_t pos = 0;
  while (true) {
    if (pos < input.size()) {
      auto n = std::min(step, input.size() - pos);
      buffer.append(input.substr(pos, n));
      pos += n;
    }
    bool fed_everything = pos >= input.size();
    std::string_view view = buffer;
    bool stop = false;
    while (!stop) {
      auto [consumed, ev] = p.feed(view);
      view.remove_prefix(consumed);
      switch (ev) {
        case parse_event::head:
          r.messages.push_back({p.head(), {}, false});
          break;
        case parse_event::body:
          r.messages.back().body += p.body();
          break;
        case parse_event::message_complete:
          r.messages.back().complete = true;
          break;
        case parse_event::upgraded:
          r.upgraded = true;
          r.leftover = view.size() + (input.size() - pos);
          return r;
        case parse_event::error:
          r.error = true;
          return r;
        case parse_event::need_more:
          stop = true;
          break;
      }
    }
    buffer.erase(0, buffer.size() - view.size());
    if (fed_everything) break;
  }
  return r;
}

parse_error_kind error_of(std::string_view input, parser_limits limits = {}) {
  request_parser p(limits);
  auto r = parse_requests(input, std::string_view::npos, limits, &p);
  EXPECT_TRUE(r.error) << input.substr(0, 200);
  EXPECT_TRUE(p.failed());
  EXPECT_FALSE(p.error().reason.empty());
  return p.error().kind;
}

constexpr std::string_view curl_get =
    "GET /index.html?q=1 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "\r\n";

constexpr std::string_view firefox_get =
    "GET /search?q=asyncio&lang=en HTTP/1.1\r\n"
    "Host: www.example.org\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=abc123; theme=dark\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-Site: none\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "\r\n";

constexpr std::string_view chrome_post =
    "POST /api/items HTTP/1.1\r\n"
    "Host: localhost:8080\r\n"
    "Connection: keep-alive\r\n"
    "Content-Length: 27\r\n"
    "sec-ch-ua: \"Chromium\";v=\"116\", \"Not)A;Brand\";v=\"24\"\r\n"
    "Content-Type: application/json\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 "
    "Safari/537.36\r\n"
    "Accept: */*\r\n"
    "Origin: http://localhost:8080\r\n"
    "Referer: http://localhost:8080/\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-GB,en;q=0.9\r\n"
    "\r\n"
    "{\"name\":\"widget\",\"qty\":12}\n";

constexpr std::string_view aiohttp_post =
    "POST /upload HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "User-Agent: Python/3.11 aiohttp/3.8.4\r\n"
    "Accept: */*\r\n"
    "Accept-Encoding: gzip, deflate\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5\r\nhello\r\n"
    "7;ext=1\r\n, world\r\n"
    "0\r\n\r\n";

TEST(http_parser, curl_get) {
  auto r = parse_requests(curl_get);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.messages.size(), 1U);
  const auto& m = r.messages[0];
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.head.method, "GET");
  EXPECT_EQ(m.head.target, "/index.html?q=1");
  EXPECT_EQ(m.head.version, (aio::http::http_version{1, 1}));
  EXPECT_EQ(m.head.headers.size(), 3U);
  EXPECT_EQ(m.head.headers.get("host"), "example.com");
  EXPECT_EQ(m.head.headers.get("USER-AGENT"), "curl/7.88.1");
  EXPECT_TRUE(m.head.keep_alive);
  EXPECT_FALSE(m.head.upgrade);
  EXPECT_FALSE(m.head.expect_continue);
  EXPECT_FALSE(m.head.framing.chunked);
  EXPECT_FALSE(m.head.framing.content_length);
  EXPECT_TRUE(m.body.empty());
}

TEST(http_parser, browser_get_byte_by_byte_equals_whole) {
  auto whole = parse_requests(firefox_get);
  auto bytes = parse_requests(firefox_get, 1);
  ASSERT_EQ(whole.messages.size(), 1U);
  ASSERT_EQ(bytes.messages.size(), 1U);
  EXPECT_EQ(whole.messages[0].head.headers, bytes.messages[0].head.headers);
  EXPECT_EQ(bytes.messages[0].head.target, "/search?q=asyncio&lang=en");
  EXPECT_EQ(bytes.messages[0].head.headers.get("Cookie"), "session=abc123; theme=dark");
  EXPECT_EQ(bytes.messages[0].head.headers.size(), 12U);
  EXPECT_TRUE(bytes.messages[0].complete);
}

TEST(http_parser, browser_post_with_content_length) {
  for (std::size_t step : {std::string_view::npos, std::size_t{1}, std::size_t{7}}) {
    auto r = parse_requests(chrome_post, step);
    ASSERT_EQ(r.messages.size(), 1U);
    const auto& m = r.messages[0];
    EXPECT_EQ(m.head.method, "POST");
    EXPECT_EQ(m.head.framing.content_length, 27U);
    EXPECT_EQ(m.head.headers.get("sec-ch-ua"), "\"Chromium\";v=\"116\", \"Not)A;Brand\";v=\"24\"");
    EXPECT_EQ(m.body, "{\"name\":\"widget\",\"qty\":12}\n");
    EXPECT_TRUE(m.complete);
  }
}

TEST(http_parser, aiohttp_chunked_post_is_dechunked) {
  for (std::size_t step : {std::string_view::npos, std::size_t{1}, std::size_t{3}}) {
    auto r = parse_requests(aiohttp_post, step);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.messages.size(), 1U);
    EXPECT_TRUE(r.messages[0].head.framing.chunked);
    EXPECT_EQ(r.messages[0].body, "hello, world");
    EXPECT_TRUE(r.messages[0].complete);
  }
}

TEST(http_parser, body_is_a_view_into_the_fed_buffer) {
  request_parser p;
  std::string buf(chrome_post);
  std::string_view view = buf;
  auto r1 = p.feed(view);
  ASSERT_EQ(r1.event, parse_event::head);
  view.remove_prefix(r1.consumed);
  auto r2 = p.feed(view);
  ASSERT_EQ(r2.event, parse_event::body);
  EXPECT_EQ(p.body().data(), view.data());  // no copy
  EXPECT_EQ(r2.consumed, 27U);
  view.remove_prefix(r2.consumed);
  EXPECT_EQ(p.feed(view).event, parse_event::message_complete);
}

TEST(http_parser, pipelined_requests_in_one_buffer) {
  std::string input;
  input += curl_get;
  input += chrome_post;
  input += "GET /last HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t step : {std::string_view::npos, std::size_t{1}, std::size_t{10}}) {
    auto r = parse_requests(input, step);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.messages.size(), 3U);
    EXPECT_EQ(r.messages[0].head.target, "/index.html?q=1");
    EXPECT_EQ(r.messages[1].head.method, "POST");
    EXPECT_EQ(r.messages[1].body.size(), 27U);
    EXPECT_EQ(r.messages[2].head.target, "/last");
    for (const auto& m : r.messages) EXPECT_TRUE(m.complete);
  }
}

TEST(http_parser, feed_stops_at_each_message) {
  request_parser p;
  std::string input = std::string(curl_get) + std::string(curl_get);
  auto r = p.feed(input);
  EXPECT_EQ(r.event, parse_event::head);
  EXPECT_EQ(r.consumed, curl_get.size());
  std::string_view rest = std::string_view(input).substr(r.consumed);
  auto c = p.feed(rest);
  EXPECT_EQ(c.event, parse_event::message_complete);
  EXPECT_EQ(c.consumed, 0U);
  auto h2 = p.feed(rest);
  EXPECT_EQ(h2.event, parse_event::head);
  EXPECT_EQ(h2.consumed, curl_get.size());
}

TEST(http_parser, http10_and_connection_close) {
  auto r = parse_requests("GET / HTTP/1.0\r\nHost: a\r\n\r\n");
  ASSERT_EQ(r.messages.size(), 1U);
  EXPECT_EQ(r.messages[0].head.version, (aio::http::http_version{1, 0}));
  EXPECT_FALSE(r.messages[0].head.keep_alive);
  auto k = parse_requests("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_TRUE(k.messages[0].head.keep_alive);
  auto c = parse_requests("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(c.messages[0].head.keep_alive);
}

TEST(http_parser, expect_100_continue) {
  request_parser p;
  std::string_view in = "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
  auto r = p.feed(in);
  ASSERT_EQ(r.event, parse_event::head);
  EXPECT_TRUE(p.head().expect_continue);
  EXPECT_TRUE(p.in_body());
  // The server answers 100 here, then the body arrives.
  EXPECT_EQ(p.feed("abc").event, parse_event::body);
  EXPECT_EQ(p.body(), "abc");
  EXPECT_EQ(p.feed("").event, parse_event::message_complete);
}

TEST(http_parser, websocket_upgrade_stops_at_the_new_protocol) {
  std::string input =
      "GET /chat HTTP/1.1\r\n"
      "Host: server.example.com\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n"
      "\r\n";
  input +=
      "\x81\x85"
      "frame";
  auto r = parse_requests(input);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.messages.size(), 1U);
  EXPECT_TRUE(r.messages[0].head.upgrade);
  EXPECT_TRUE(r.messages[0].complete);
  EXPECT_TRUE(r.upgraded);
  EXPECT_EQ(r.leftover, 7U);
}

TEST(http_parser, connect_is_an_upgrade) {
  auto r = parse_requests("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nTLS");
  ASSERT_EQ(r.messages.size(), 1U);
  EXPECT_EQ(r.messages[0].head.method, "CONNECT");
  EXPECT_EQ(r.messages[0].head.target, "example.com:443");
  EXPECT_TRUE(r.upgraded);
  EXPECT_EQ(r.leftover, 3U);
}

TEST(http_parser, header_values_are_trimmed_and_empty_values_kept) {
  auto r = parse_requests("GET / HTTP/1.1\r\nX-A:   spaced   \r\nX-Empty:\r\nX-B:\tx\r\n\r\n");
  ASSERT_EQ(r.messages.size(), 1U);
  const auto& h = r.messages[0].head.headers;
  EXPECT_EQ(h.get("x-a"), "spaced");
  EXPECT_EQ(h.get("x-empty"), "");
  EXPECT_EQ(h.get("x-b"), "x");
  EXPECT_EQ(h.size(), 3U);
}

// ---- errors ---------------------------------------------------------------------------------------

TEST(http_parser, malformed_request_line_is_bad_request) {
  EXPECT_EQ(error_of("GET\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("G@T / HTTP/1.1\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("GET / HTTP/1.1 extra\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("GET / HTTX/1.1\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("GET /a b HTTP/1.1\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), parse_error_kind::bad_request);  // TLS
}

TEST(http_parser, unsupported_version_is_bad_request) {
  request_parser p;
  auto r = parse_requests("GET / HTTP/2.0\r\nHost: a\r\n\r\n", std::string_view::npos, {}, &p);
  EXPECT_TRUE(r.error);
  EXPECT_NE(p.error().reason.find("version"), std::string::npos);
}

TEST(http_parser, malformed_headers_are_bad_request) {
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"), parse_error_kind::bad_request);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), parse_error_kind::bad_request);
}

TEST(http_parser, bad_chunk_size_is_bad_request) {
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
            parse_error_kind::bad_request);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"),
            parse_error_kind::bad_request);
  // Chunk data longer than its size: no CRLF where one is due.
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"),
            parse_error_kind::bad_request);
  // A size that overflows 64 bits.
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n"),
            parse_error_kind::bad_request);
}

TEST(http_parser, content_length_with_transfer_encoding_is_bad_request) {
  request_parser p;
  auto r = parse_requests(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      std::string_view::npos, {}, &p);
  EXPECT_TRUE(r.error);
  EXPECT_EQ(p.error().kind, parse_error_kind::bad_request);
  EXPECT_NE(p.error().reason.find("Transfer-Encoding"), std::string::npos) << p.error().reason;
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"),
            parse_error_kind::bad_request);
}

TEST(http_parser, duplicate_content_length_is_bad_request) {
  request_parser p;
  auto r = parse_requests("POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
                          std::string_view::npos, {}, &p);
  EXPECT_TRUE(r.error);
  EXPECT_EQ(p.error().kind, parse_error_kind::bad_request);
  EXPECT_NE(p.error().reason.find("Content-Length"), std::string::npos) << p.error().reason;
  // Even equal duplicates are refused (llhttp is strict; RFC 9112 allows either).
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd"),
            parse_error_kind::bad_request);
}

TEST(http_parser, transfer_encoding_not_ending_in_chunked_is_bad_request) {
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
            parse_error_kind::bad_request);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\nabc"),
            parse_error_kind::bad_request);
}

TEST(http_parser, long_request_line_is_header_too_large) {
  std::string target(9000, 'a');
  EXPECT_EQ(error_of("GET /" + target + " HTTP/1.1\r\n\r\n"), parse_error_kind::header_too_large);
  EXPECT_EQ(aio::http::status_for(parse_error_kind::header_too_large), 431);
}

TEST(http_parser, long_header_line_is_header_too_large) {
  std::string value(8200, 'v');
  request_parser p;
  auto r = parse_requests("GET / HTTP/1.1\r\nX-Big: " + value + "\r\n\r\n", 100, {}, &p);
  EXPECT_TRUE(r.error);
  EXPECT_EQ(p.error().kind, parse_error_kind::header_too_large);
  EXPECT_NE(p.error().reason.find("header line"), std::string::npos);
}

TEST(http_parser, header_section_over_the_total_limit_is_header_too_large) {
  std::string input = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i)
    input += "X-Field-" + std::to_string(i) + ": " + std::string(1000, 'x') + "\r\n";
  input += "\r\n";
  request_parser p;
  auto r = parse_requests(input, 4096, {}, &p);
  EXPECT_TRUE(r.error);
  EXPECT_EQ(p.error().kind, parse_error_kind::header_too_large);
  EXPECT_NE(p.error().reason.find("header section"), std::string::npos) << p.error().reason;
}

TEST(http_parser, too_many_headers_is_header_too_large) {
  std::string input = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 200; ++i) input += "X" + std::to_string(i) + ": 1\r\n";
  input += "\r\n";
  EXPECT_EQ(error_of(input), parse_error_kind::header_too_large);
}

TEST(http_parser, endless_whitespace_in_the_head_is_header_too_large) {
  request_parser p;
  std::string spaces(4096, ' ');
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nX:").event, parse_event::need_more);
  parse_event ev = parse_event::need_more;
  for (int i = 0; i < 100 && ev == parse_event::need_more; ++i) ev = p.feed(spaces).event;
  EXPECT_EQ(ev, parse_event::error);
  EXPECT_EQ(p.error().kind, parse_error_kind::header_too_large);
}

TEST(http_parser, content_length_over_max_body_fails_at_the_head) {
  parser_limits limits;
  limits.max_body = 10;
  request_parser p(limits);
  auto r = p.feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n");
  EXPECT_EQ(r.event, parse_event::error);
  EXPECT_EQ(p.error().kind, parse_error_kind::body_too_large);
  EXPECT_EQ(aio::http::status_for(p.error().kind), 413);
  EXPECT_EQ(p.feed("more").event, parse_event::error);  // stays failed
}

TEST(http_parser, chunked_body_over_max_body_is_body_too_large) {
  parser_limits limits;
  limits.max_body = 10;
  std::string input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) input += "3\r\nabc\r\n";
  input += "0\r\n\r\n";
  EXPECT_EQ(error_of(input, limits), parse_error_kind::body_too_large);
  auto ok = parse_requests(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n",
      std::string_view::npos, limits);
  ASSERT_FALSE(ok.error);
  EXPECT_EQ(ok.messages[0].body, "abcdefghij");
}

TEST(http_parser, default_limits_accept_an_8k_header) {
  std::string value(8000, 'v');
  auto r = parse_requests("GET / HTTP/1.1\r\nX-Big: " + value + "\r\n\r\n", 1000);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.messages[0].head.headers.get("x-big")->size(), 8000U);
}

TEST(http_parser, reset_after_error) {
  request_parser p;
  EXPECT_EQ(p.feed("BAD\r\n\r\n").event, parse_event::error);
  p.reset();
  EXPECT_EQ(p.feed(curl_get).event, parse_event::head);
}

TEST(http_parser, finish_mid_message_is_an_error) {
  request_parser p;
  EXPECT_EQ(p.feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").event, parse_event::head);
  EXPECT_EQ(p.feed("abc").event, parse_event::body);
  EXPECT_EQ(p.finish(), parse_event::error);
  request_parser idle;
  EXPECT_EQ(idle.finish(), parse_event::need_more);
}

// ---- responses ------------------------------------------------------------------------------------

struct parsed_response {
  std::vector<aio::http::response_head> heads;
  std::string body;
  int completes = 0;
  bool error = false;
};

parsed_response parse_responses(response_parser& p, std::string_view input, bool eof = false) {
  parsed_response r;
  while (true) {
    auto [n, ev] = p.feed(input);
    input.remove_prefix(n);
    if (ev == parse_event::head) r.heads.push_back(p.head());
    if (ev == parse_event::body) r.body += p.body();
    if (ev == parse_event::message_complete) ++r.completes;
    if (ev == parse_event::error) r.error = true;
    if (ev == parse_event::need_more || ev == parse_event::error || ev == parse_event::upgraded) break;
  }
  if (eof && !r.error && p.finish() == parse_event::message_complete) ++r.completes;
  return r;
}

TEST(http_response_parser, content_length_response) {
  response_parser p;
  auto r = parse_responses(p,
                           "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                           "Content-Length: 5\r\nServer: nginx\r\n\r\nhello");
  ASSERT_EQ(r.heads.size(), 1U);
  EXPECT_EQ(r.heads[0].status, 200);
  EXPECT_EQ(r.heads[0].reason, "OK");
  EXPECT_EQ(r.heads[0].headers.get("server"), "nginx");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.completes, 1);
}

TEST(http_response_parser, chunked_response_with_trailers) {
  response_parser p;
  auto r = parse_responses(p,
                           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n");
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(r.completes, 1);
}

TEST(http_response_parser, head_response_has_no_body) {
  response_parser p;
  p.expect_head_response();
  std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  input += "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  auto r = parse_responses(p, input);
  // The flag applies to one response: the second (a GET's) has its body.
  ASSERT_EQ(r.heads.size(), 2U);
  EXPECT_EQ(r.heads[0].framing.content_length, 1000U);
  EXPECT_EQ(r.completes, 2);
  EXPECT_EQ(r.body, "hi");
}

TEST(http_response_parser, no_body_statuses) {
  response_parser p;
  auto r = parse_responses(
      p, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n");
  EXPECT_EQ(r.completes, 2);
  EXPECT_TRUE(r.body.empty());
  auto r2 = parse_responses(p, "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n");
  EXPECT_EQ(r2.completes, 1);
  EXPECT_TRUE(r2.body.empty());
}

TEST(http_response_parser, continue_then_final_response) {
  response_parser p;
  auto r = parse_responses(p, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(r.heads.size(), 1U);
  EXPECT_EQ(r.heads[0].status, 100);
  EXPECT_EQ(r.completes, 1);
  auto f = parse_responses(p, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(f.heads.size(), 1U);
  EXPECT_EQ(f.heads[0].status, 201);
}

TEST(http_response_parser, body_until_eof) {
  response_parser p;
  auto r = parse_responses(p, "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>", false);
  EXPECT_EQ(r.body, "<html>");
  EXPECT_EQ(r.completes, 0);
  EXPECT_EQ(p.finish(), parse_event::message_complete);
  EXPECT_FALSE(r.heads[0].keep_alive);
}

TEST(http_response_parser, switching_protocols) {
  response_parser p;
  auto r = parse_responses(p,
                           "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi");
  ASSERT_EQ(r.heads.size(), 1U);
  EXPECT_EQ(r.heads[0].status, 101);
  EXPECT_TRUE(r.heads[0].upgrade);
  EXPECT_TRUE(p.upgraded());
}

TEST(http_response_parser, bad_status_line) {
  response_parser p;
  auto r = parse_responses(p, "HTTP/1.1 2000 OK\r\n\r\n");
  EXPECT_TRUE(r.error);
  EXPECT_EQ(p.error().kind, parse_error_kind::bad_request);
}

TEST(http_response_parser, response_body_limit) {
  parser_limits limits = aio::http::detail::response_limits();
  limits.max_body = 4;
  response_parser p(limits);
  auto r = parse_responses(p, "HTTP/1.1 200 OK\r\n\r\n12345", false);
  EXPECT_TRUE(r.error);
  EXPECT_EQ(p.error().kind, parse_error_kind::body_too_large);
}

}  // namespace
