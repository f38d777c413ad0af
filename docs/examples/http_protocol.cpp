// docs/guide/http_protocol.md: the protocol layer's includes and the server's parse loop, fed real
// requests (the loop is I/O-free, so this needs no loop). Built with the repository root on the include
// path, as the guide spells the private headers.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

// clang-format off
#include "aio/http/url.hpp"           // url::parse, join (redirects), with_query, target, host_header
#include "aio/http/headers.hpp"       // headers: get, get_all, add, set, erase, iteration
#include "aio/http/content_type.hpp"  // content_type::parse(...).charset()
#include "aio/http/multipart.hpp"     // parse_multipart, form_data
#include "src/http/parser.hpp"        // private: request_parser, response_parser
#include "src/http/serialize.hpp"     // private: write_response_head, write_chunk, http_date_now
#include "src/http/compression.hpp"   // private: decompressor, compress
// clang-format on

namespace {

using aio::http::detail::parse_event;

struct parsed {
  std::string body;
  std::string left;  // the unconsumed tail kept in the buffer
  bool expect_continue = false;
  bool failed = false;
};

parsed parse(std::string buffer) {
  std::string request_body;
  // clang-format off
  aio::http::detail::request_parser parser;            // limits: 8190-byte lines, 64 KiB head, 1 MiB body
  std::string_view in(buffer.data(), buffer.size());
  for (;;) {
    auto [n, ev] = parser.feed(in);
    in.remove_prefix(n);
    if (ev == parse_event::head && parser.head().expect_continue) { /* write "HTTP/1.1 100 Continue\r\n\r\n" */ }
    else if (ev == parse_event::body) { request_body += parser.body(); }     // a view into `buffer`
    else if (ev == parse_event::message_complete) { /* run the handler */ }
    else if (ev == parse_event::error) { /* answer status_for(parser.error().kind), close */ break; }
    else if (ev == parse_event::upgraded) { /* `in` now holds WebSocket bytes */ break; }
    else break;                                                             // need_more: read again
  }
  buffer.erase(0, buffer.size() - in.size());                                // keep the unconsumed tail
  // clang-format on
  return {request_body, buffer, parser.head().expect_continue, !parser.error().reason.empty()};
}

TEST(DocHttpProtocol, ParseLoopReadsABody) {
  const parsed p = parse(
      "POST /items HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(p.body, "hello world");
  EXPECT_TRUE(p.expect_continue);
  EXPECT_TRUE(p.left.empty());
  EXPECT_FALSE(p.failed);
}

TEST(DocHttpProtocol, ParseLoopStopsAtAnError) {
  const parsed p = parse("POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n");
  EXPECT_TRUE(p.failed);
  EXPECT_EQ(p.body, "");
}

TEST(DocHttpProtocol, TheIncludedPiecesWork) {
  const auto u = aio::http::url::parse("http://example.com/a/b?x=1");
  EXPECT_EQ(u.host(), "example.com");
  aio::http::headers h;
  h.add("Content-Type", "text/plain; charset=latin1");
  EXPECT_EQ(aio::http::content_type::parse(h.get("Content-Type", "")).charset().value_or(""), "latin1");
}

}  // namespace
