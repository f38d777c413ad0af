#include "aio/http/status.hpp"

#include <gtest/gtest.h>

#include "aio/http/parse_error.hpp"

namespace {

TEST(http_status, reason_phrases) {
  EXPECT_EQ(aio::http::reason_phrase(200), "OK");
  EXPECT_EQ(aio::http::reason_phrase(404), "Not Found");
  EXPECT_EQ(aio::http::reason_phrase(413), "Content Too Large");
  EXPECT_EQ(aio::http::reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(aio::http::reason_phrase(799), "");
}

TEST(http_status, classes) {
  EXPECT_TRUE(aio::http::status_has_no_body(101));
  EXPECT_TRUE(aio::http::status_has_no_body(204));
  EXPECT_TRUE(aio::http::status_has_no_body(304));
  EXPECT_FALSE(aio::http::status_has_no_body(200));
  EXPECT_FALSE(aio::http::is_informational(200));
}

TEST(http_status, parse_error_kinds_map_to_statuses) {
  using aio::http::parse_error_kind;
  EXPECT_EQ(aio::http::status_for(parse_error_kind::bad_request), 400);
  EXPECT_EQ(aio::http::status_for(parse_error_kind::header_too_large), 431);
  EXPECT_EQ(aio::http::status_for(parse_error_kind::body_too_large), 413);
  aio::http::http_parse_error e({parse_error_kind::body_too_large, "too big"});
  EXPECT_STREQ(e.what(), "too big");
  EXPECT_EQ(e.error().kind, parse_error_kind::body_too_large);
}

}  // namespace
