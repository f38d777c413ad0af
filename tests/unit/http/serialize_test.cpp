// Tests of the private head writers (src/http/serialize.hpp), checked by parsing the output back.
#include "../../../src/http/serialize.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>
#include <string>

#include "../../../src/http/parser.hpp"

namespace {

using aio::http::headers;
using aio::http::detail::framing_choice;

TEST(http_serialize, response_head_with_content_length) {
  std::string out;
  aio::http::detail::write_response_head(out, 404, headers{{"Content-Type", "text/plain"}},
                                         framing_choice::content_length(9));
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\n");
}

TEST(http_serialize, response_head_custom_reason_chunked_and_existing_framing) {
  std::string out;
  aio::http::detail::write_response_head(out, 299, {}, framing_choice::chunked(), "Custom");
  EXPECT_EQ(out, "HTTP/1.1 299 Custom\r\nTransfer-Encoding: chunked\r\n\r\n");
  out.clear();
  aio::http::detail::write_response_head(out, 200, headers{{"content-length", "3"}},
                                         framing_choice::content_length(99));
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n");
  out.clear();
  aio::http::detail::write_response_head(out, 204, {}, framing_choice::content_length(0));
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\n\r\n");
  out.clear();
  aio::http::detail::write_response_head(out, 200, {}, framing_choice::none(), {}, {1, 0});
  EXPECT_EQ(out, "HTTP/1.0 200 OK\r\n\r\n");
}

TEST(http_serialize, request_head) {
  std::string out;
  headers h{{"Host", "example.com"}, {"User-Agent", "aio"}};
  aio::http::detail::write_request_head(out, "POST", "/submit?a=1", h, framing_choice::content_length(5));
  EXPECT_EQ(out,
            "POST /submit?a=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: aio\r\nContent-Length: 5\r\n\r\n");
  // The parser reads back what the writer wrote.
  out += "hello";
  aio::http::detail::request_parser p;
  auto r = p.feed(out);
  ASSERT_EQ(r.event, aio::http::detail::parse_event::head);
  EXPECT_EQ(p.head().method, "POST");
  EXPECT_EQ(p.head().target, "/submit?a=1");
  EXPECT_EQ(p.head().headers.get("user-agent"), "aio");
  EXPECT_EQ(p.head().framing.content_length, 5U);
}

TEST(http_serialize, header_injection_is_refused) {
  std::string out;
  EXPECT_THROW(aio::http::detail::write_response_head(out, 200, headers{{"X", "a\r\nSet-Cookie: evil=1"}},
                                                      framing_choice::none()),
               std::invalid_argument);
  EXPECT_THROW(
      aio::http::detail::write_response_head(out, 200, headers{{"Bad Name", "x"}}, framing_choice::none()),
      std::invalid_argument);
  EXPECT_THROW(aio::http::detail::write_response_head(out, 200, headers{{"", "x"}}, framing_choice::none()),
               std::invalid_argument);
  EXPECT_THROW(aio::http::detail::write_response_head(out, 42, {}, framing_choice::none()),
               std::invalid_argument);
  EXPECT_THROW(aio::http::detail::write_request_head(out, "GET /", "/", {}, framing_choice::none()),
               std::invalid_argument);
  EXPECT_THROW(aio::http::detail::write_request_head(out, "GET", "/a b", {}, framing_choice::none()),
               std::invalid_argument);
  EXPECT_THROW(aio::http::detail::write_request_head(out, "GET", "", {}, framing_choice::none()),
               std::invalid_argument);
}

TEST(http_serialize, chunks_round_trip_through_the_parser) {
  std::string out;
  aio::http::detail::write_response_head(out, 200, {}, framing_choice::chunked());
  aio::http::detail::write_chunk(out, "hello ");
  aio::http::detail::write_chunk(out, "");  // nothing: an empty chunk would end the body
  aio::http::detail::write_chunk(out, std::string(300, 'x'));
  aio::http::detail::write_last_chunk(out);
  EXPECT_NE(out.find("6\r\nhello \r\n12c\r\n"), std::string::npos);
  EXPECT_TRUE(out.ends_with("\r\n0\r\n\r\n"));
  aio::http::detail::response_parser p;
  std::string_view in = out;
  std::string body;
  int completes = 0;
  while (true) {
    auto [n, ev] = p.feed(in);
    in.remove_prefix(n);
    if (ev == aio::http::detail::parse_event::body) body += p.body();
    if (ev == aio::http::detail::parse_event::message_complete) ++completes;
    if (ev == aio::http::detail::parse_event::need_more || ev == aio::http::detail::parse_event::error) break;
  }
  EXPECT_EQ(body, "hello " + std::string(300, 'x'));
  EXPECT_EQ(completes, 1);
}

TEST(http_serialize, http_date_format) {
  EXPECT_EQ(aio::http::detail::format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(aio::http::detail::format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  auto now = aio::http::detail::http_date_now();
  EXPECT_TRUE(std::regex_match(
      std::string(now), std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)")))
      << now;
  // Cached in fixed per-thread storage: a view stays valid (and current) across calls, even when the
  // second changes between them.
  auto again = aio::http::detail::http_date_now();
  EXPECT_EQ(again.data(), now.data());
  EXPECT_EQ(again.size(), now.size());
}

TEST(http_serialize, token_and_value_checks) {
  EXPECT_TRUE(aio::http::detail::is_token("X-Custom_Header.1"));
  EXPECT_FALSE(aio::http::detail::is_token("X:Y"));
  EXPECT_FALSE(aio::http::detail::is_token(""));
  EXPECT_TRUE(aio::http::detail::is_safe_field_value("a, b; q=\"x\"\t"));
  EXPECT_FALSE(aio::http::detail::is_safe_field_value(std::string_view("a\0b", 3)));
}

}  // namespace
