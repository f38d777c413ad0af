#include "aio/http/headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using aio::http::headers;

TEST(http_headers, lookup_is_case_insensitive) {
  headers h{{"Content-Type", "text/plain"}, {"X-Id", "7"}};
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "text/plain");
  EXPECT_FALSE(h.get("content-length"));
  EXPECT_EQ(h.get("content-length", "0"), "0");
  EXPECT_TRUE(h.contains("x-id"));
  EXPECT_FALSE(h.contains("x-i"));
  EXPECT_EQ(h.size(), 2U);
}

TEST(http_headers, keeps_duplicates_in_insertion_order) {
  headers h;
  h.add("Set-Cookie", "a=1");
  h.add("Vary", "Accept");
  h.add("set-cookie", "b=2");
  EXPECT_EQ(h.get("SET-COOKIE"), "a=1");
  EXPECT_EQ(h.get_all("Set-Cookie"), (std::vector<std::string_view>{"a=1", "b=2"}));
  EXPECT_EQ(h.count("set-cookie"), 2U);
  std::vector<std::string> names;
  for (const auto& [name, value] : h) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"Set-Cookie", "Vary", "set-cookie"}));  // spelling kept
}

TEST(http_headers, set_replaces_all_at_the_first_position) {
  headers h{{"A", "1"}, {"B", "2"}, {"a", "3"}};
  h.set("A", "9");
  ASSERT_EQ(h.size(), 2U);
  EXPECT_EQ(h.begin()->first, "A");
  EXPECT_EQ(h.begin()->second, "9");
  h.set("C", "new");
  EXPECT_EQ(h.get("c"), "new");
  EXPECT_EQ(h.size(), 3U);
}

TEST(http_headers, erase_and_set_default) {
  headers h{{"A", "1"}, {"B", "2"}, {"a", "3"}};
  EXPECT_EQ(h.erase("a"), 2U);
  EXPECT_EQ(h.erase("a"), 0U);
  EXPECT_EQ(h.size(), 1U);
  EXPECT_EQ(h.set_default("B", "x"), "2");
  EXPECT_EQ(h.set_default("Host", "example.com"), "example.com");
  EXPECT_EQ(h.size(), 2U);
  h.clear();
  EXPECT_TRUE(h.empty());
}

TEST(http_headers, equality_ignores_name_case_not_value_case) {
  EXPECT_EQ((headers{{"A", "x"}}), (headers{{"a", "x"}}));
  EXPECT_NE((headers{{"A", "x"}}), (headers{{"a", "X"}}));
  EXPECT_NE((headers{{"A", "x"}, {"B", "y"}}), (headers{{"B", "y"}, {"A", "x"}}));
}

TEST(http_headers, iequals) {
  EXPECT_TRUE(aio::http::iequals("Keep-Alive", "keep-alive"));
  EXPECT_FALSE(aio::http::iequals("keep-alive", "keep-alivE "));
  EXPECT_TRUE(aio::http::iequals("", ""));
}

}  // namespace
