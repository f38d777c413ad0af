#include "aio/http/query.hpp"

#include <gtest/gtest.h>

namespace {

using aio::http::percent_decode;
using aio::http::percent_encode;
using aio::http::query_params;
using aio::http::url_component;

TEST(http_query, percent_encode_is_component_specific) {
  std::string_view s = "a b/c?d=e&f#g:h@i+j%";
  EXPECT_EQ(percent_encode(s, url_component::path), "a%20b/c%3Fd=e&f%23g:h@i+j%25");
  EXPECT_EQ(percent_encode(s, url_component::path_segment), "a%20b%2Fc%3Fd=e&f%23g:h@i+j%25");
  EXPECT_EQ(percent_encode(s, url_component::query), "a%20b/c?d=e&f%23g:h@i+j%25");
  EXPECT_EQ(percent_encode(s, url_component::query_value), "a+b%2Fc%3Fd%3De%26f%23g%3Ah%40i%2Bj%25");
  EXPECT_EQ(percent_encode(s, url_component::fragment), "a%20b/c?d=e&f%23g:h@i+j%25");
  EXPECT_EQ(percent_encode("us:er@x", url_component::userinfo), "us%3Aer%40x");
  EXPECT_EQ(percent_encode("é", url_component::path), "%C3%A9");
  EXPECT_EQ(percent_encode("-._~", url_component::query_value), "-._~");
}

TEST(http_query, percent_decode) {
  EXPECT_EQ(percent_decode("a%20b%2fc"), "a b/c");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%C3%A9"), "é");
  // Malformed escapes are kept, as Python's unquote does.
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
}

TEST(http_query, parse_query) {
  EXPECT_EQ(aio::http::parse_query("a=1&b=two+words&c=%26&&d&e="),
            (query_params{{"a", "1"}, {"b", "two words"}, {"c", "&"}, {"d", ""}, {"e", ""}}));
  EXPECT_EQ(aio::http::parse_query("x=1&x=2"), (query_params{{"x", "1"}, {"x", "2"}}));
  EXPECT_EQ(aio::http::parse_query("k=a=b"), (query_params{{"k", "a=b"}}));
  EXPECT_TRUE(aio::http::parse_query("").empty());
}

TEST(http_query, encode_query_round_trips) {
  query_params p{{"q", "C++ coroutines & more"}, {"lang", "en"}, {"empty", ""}, {"ü", "ö"}};
  auto s = aio::http::encode_query(p);
  EXPECT_EQ(s, "q=C%2B%2B+coroutines+%26+more&lang=en&empty=&%C3%BC=%C3%B6");
  EXPECT_EQ(aio::http::parse_query(s), p);
}

TEST(http_query, form_urlencoded) {
  auto fields = aio::http::parse_form_urlencoded("username=ann&password=p%40ss+word");
  EXPECT_EQ(fields, (query_params{{"username", "ann"}, {"password", "p@ss word"}}));
  EXPECT_EQ(aio::http::encode_form_urlencoded(fields), "username=ann&password=p%40ss+word");
}

}  // namespace
