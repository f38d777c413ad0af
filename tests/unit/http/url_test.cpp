#include "aio/http/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using aio::http::invalid_url;
using aio::http::url;

TEST(http_url, parses_every_component) {
  auto u = url::parse("HTTPS://us%40er:p%3Aw@Example.COM:8443/a/b%20c?x=1&y=two#frag");
  EXPECT_EQ(u.scheme(), "https");
  EXPECT_EQ(u.user(), "us@er");
  EXPECT_EQ(u.password(), "p:w");
  EXPECT_EQ(u.host(), "example.com");
  EXPECT_EQ(u.port(), 8443);
  EXPECT_EQ(u.explicit_port(), 8443);
  EXPECT_EQ(u.path(), "/a/b%20c");
  EXPECT_EQ(u.decoded_path(), "/a/b c");
  EXPECT_EQ(u.query(), "x=1&y=two");
  EXPECT_EQ(u.query_items(), (aio::http::query_params{{"x", "1"}, {"y", "two"}}));
  EXPECT_EQ(u.fragment(), "frag");
  EXPECT_EQ(u.target(), "/a/b%20c?x=1&y=two");
  EXPECT_EQ(u.host_header(), "example.com:8443");
  EXPECT_EQ(u.to_string(), "https://us%40er:p%3Aw@example.com:8443/a/b%20c?x=1&y=two#frag");
}

TEST(http_url, default_ports_and_empty_path) {
  auto u = url::parse("http://example.com");
  EXPECT_EQ(u.port(), 80);
  EXPECT_FALSE(u.explicit_port());
  EXPECT_EQ(u.path(), "/");
  EXPECT_EQ(u.target(), "/");
  EXPECT_EQ(u.to_string(), "http://example.com/");
  EXPECT_EQ(url::parse("https://a:443/x").to_string(), "https://a/x");
  EXPECT_EQ(url::parse("https://a:443/x").port(), 443);
  EXPECT_EQ(url::parse("ws://a/").port(), 80);
  EXPECT_EQ(url::parse("wss://a/").port(), 443);
  EXPECT_EQ(url::parse("http://a:8080").host_header(), "a:8080");
  EXPECT_EQ(url::parse("http://a/?").to_string(), "http://a/?");
  EXPECT_TRUE(url::parse("http://a/?").has_query());
}

TEST(http_url, ipv6_hosts) {
  auto u = url::parse("http://[::1]:8080/x");
  EXPECT_TRUE(u.is_ipv6());
  EXPECT_EQ(u.host(), "::1");
  EXPECT_EQ(u.port(), 8080);
  EXPECT_EQ(u.host_header(), "[::1]:8080");
  EXPECT_EQ(u.to_string(), "http://[::1]:8080/x");
  EXPECT_EQ(url::parse("https://[2001:DB8::7]/").host(), "2001:db8::7");
}

TEST(http_url, encodes_characters_a_url_may_not_hold) {
  auto u = url::parse("http://a/caf\xc3\xa9 bar?q=a b|c#x y");
  EXPECT_EQ(u.path(), "/caf%C3%A9%20bar");
  EXPECT_EQ(u.query(), "q=a%20b%7Cc");
  EXPECT_EQ(u.fragment(), "x%20y");
  EXPECT_EQ(url::parse("  http://a/  ").to_string(), "http://a/");  // surrounding whitespace trimmed
}

TEST(http_url, invalid_urls_throw_with_a_reason) {
  auto reason = [](std::string_view s) -> std::string {
    try {
      (void)url::parse(s);
    } catch (const invalid_url& e) {
      return e.what();
    }
    return "no exception";
  };
  EXPECT_NE(reason("/relative/path").find("no scheme"), std::string::npos);
  EXPECT_NE(reason("example.com").find("no scheme"), std::string::npos);
  EXPECT_NE(reason("ht@p://a/").find("scheme"), std::string::npos);
  EXPECT_NE(reason("http://").find("no host"), std::string::npos);
  EXPECT_NE(reason("http:///path").find("no host"), std::string::npos);
  EXPECT_NE(reason("http://a:99999/").find("bad port"), std::string::npos);
  EXPECT_NE(reason("http://a:8o/").find("bad port"), std::string::npos);
  EXPECT_NE(reason("http://[::1/").find("IPv6"), std::string::npos);
  EXPECT_NE(reason("http://[zz]/").find("IPv6"), std::string::npos);
  EXPECT_NE(reason("http://[::1]x/").find("IPv6"), std::string::npos);
  EXPECT_NE(reason("http://a b/").find("host"), std::string::npos);
  EXPECT_NE(reason("http://a/\r\nX: y").find("control character"), std::string::npos);
  EXPECT_NE(reason("http://b\xc3\xbc\x63her.de/").find("IDNA"), std::string::npos);
  EXPECT_NE(reason("http://a/").find("no exception"), std::string::npos);
  EXPECT_THROW((void)url::parse("http:"), std::invalid_argument);  // derives std::invalid_argument
}

TEST(http_url, with_query_and_without_fragment) {
  auto u = url::parse("http://a/p?old=1#f");
  EXPECT_EQ(u.with_query({{"q", "a b"}, {"n", "1"}}).to_string(), "http://a/p?q=a+b&n=1#f");
  EXPECT_EQ(u.with_query({}).to_string(), "http://a/p#f");
  EXPECT_EQ(u.with_raw_query("?x=1&y").target(), "/p?x=1&y");
  EXPECT_EQ(u.without_fragment().to_string(), "http://a/p?old=1");
}

// RFC 3986 section 5.4: every normal and abnormal example.
TEST(http_url, join_follows_rfc3986_examples) {
  auto base = url::parse("http://a/b/c/d;p?q");
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      {"http:g", "http:g"},
  };
  for (const auto& [ref, expected] : cases) {
    if (std::string_view(ref) == "http:g") {
      EXPECT_THROW((void)base.join(ref), invalid_url);  // strict parsers: an http URL without a host
      continue;
    }
    EXPECT_EQ(base.join(ref).to_string(), expected) << "reference '" << ref << "'";
  }
}

TEST(http_url, join_for_redirects) {
  auto base = url::parse("https://user:pw@example.com:8443/a/b?x=1");
  EXPECT_EQ(base.join("../c?y=2").to_string(), "https://user:pw@example.com:8443/c?y=2");
  EXPECT_EQ(base.join("http://other.org/login").to_string(), "http://other.org/login");
  EXPECT_EQ(base.join("//cdn.example.com/x").to_string(), "https://cdn.example.com/x");
  EXPECT_EQ(url::parse("http://a").join("b").to_string(), "http://a/b");
  EXPECT_THROW((void)base.join("http://[bad/"), invalid_url);
}

}  // namespace
