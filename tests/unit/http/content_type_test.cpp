#include "aio/http/content_type.hpp"

#include <gtest/gtest.h>

namespace {

using aio::http::content_type;

TEST(http_content_type, type_and_charset) {
  auto ct = content_type::parse("Text/HTML; Charset=\"UTF-8\"");
  EXPECT_EQ(ct.mime_type(), "text/html");
  EXPECT_EQ(ct.charset(), "utf-8");
  EXPECT_EQ(ct.param("CHARSET"), "UTF-8");
  EXPECT_TRUE(ct.is_text());
  EXPECT_FALSE(ct.is_json());
}

TEST(http_content_type, no_charset_and_json) {
  auto ct = content_type::parse("application/json");
  EXPECT_FALSE(ct.charset());
  EXPECT_TRUE(ct.is_json());
  EXPECT_TRUE(content_type::parse("application/problem+json; charset=utf-8").is_json());
  EXPECT_TRUE(content_type::parse("").mime_type().empty());
  EXPECT_TRUE(content_type::parse("garbage").mime_type().empty());
}

TEST(http_content_type, quoted_parameters_and_malformed_ones) {
  auto ct = content_type::parse(R"(multipart/form-data; junk; boundary="a \"q\"; b"; x=1 ;y= 2 )");
  EXPECT_EQ(ct.param("boundary"), "a \"q\"; b");
  EXPECT_EQ(ct.param("x"), "1");
  EXPECT_EQ(ct.param("y"), "2");
  EXPECT_FALSE(ct.param("junk"));
  EXPECT_EQ(ct.params().size(), 3U);
  EXPECT_EQ(content_type::parse("text/plain; charset=ISO-8859-1").charset(), "iso-8859-1");
  EXPECT_EQ(content_type::parse("text/plain; charset=\"unterminated").charset(), "unterminated");
}

}  // namespace
