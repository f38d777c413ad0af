#include "aio/http/multipart.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "aio/http/body_error.hpp"
#include "aio/http/content_type.hpp"

namespace {

using aio::http::body_error;
using aio::http::parse_multipart;

// What Firefox sends for a form with a text field and a file input.
constexpr std::string_view browser_body =
    "-----------------------------9051914041544843365972754266\r\n"
    "Content-Disposition: form-data; name=\"text\"\r\n"
    "\r\n"
    "text default\r\n"
    "-----------------------------9051914041544843365972754266\r\n"
    "Content-Disposition: form-data; name=\"file1\"; filename=\"a.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Content of a.txt.\n\r\n"
    "-----------------------------9051914041544843365972754266\r\n"
    "Content-Disposition: form-data; name=\"file2\"; filename=\"a.html\"\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<!DOCTYPE html><title>Content of a.html.</title>\n\r\n"
    "-----------------------------9051914041544843365972754266--\r\n";

TEST(http_multipart, parses_a_browser_form) {
  auto ct = aio::http::content_type::parse(
      "multipart/form-data; boundary=---------------------------9051914041544843365972754266");
  auto parts = parse_multipart(browser_body, *ct.param("boundary"));
  ASSERT_EQ(parts.size(), 3U);
  EXPECT_EQ(parts[0].name, "text");
  EXPECT_FALSE(parts[0].filename);
  EXPECT_EQ(parts[0].body, "text default");
  EXPECT_EQ(parts[0].content_type, "");
  EXPECT_EQ(parts[1].name, "file1");
  EXPECT_EQ(parts[1].filename, "a.txt");
  EXPECT_EQ(parts[1].content_type, "text/plain");
  EXPECT_EQ(parts[1].body, "Content of a.txt.\n");
  EXPECT_EQ(parts[2].filename, "a.html");
  EXPECT_EQ(parts[2].headers.get("content-type"), "text/html");
}

TEST(http_multipart, preamble_epilogue_and_binary_content) {
  std::string binary("\0\r\n--b\r\x01", 8);
  std::string body =
      "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"bin\"; "
      "filename*=UTF-8''%E2%82%AC.bin\r\n\r\n" +
      binary + "\r\n--XyZ--\r\nepilogue";
  auto parts = parse_multipart(body, "XyZ");
  ASSERT_EQ(parts.size(), 1U);
  EXPECT_EQ(parts[0].body, binary);
  EXPECT_EQ(parts[0].filename, "\xE2\x82\xAC.bin");
}

TEST(http_multipart, malformed_bodies) {
  EXPECT_THROW((void)parse_multipart("no boundary here", "abc"), body_error);
  EXPECT_THROW(
      (void)parse_multipart("--abc\r\nContent-Disposition: form-data; name=x\r\n\r\nunterminated", "abc"),
      body_error);
  EXPECT_THROW((void)parse_multipart("--abc\r\nbad header line\r\n\r\nx\r\n--abc--", "abc"), body_error);
  EXPECT_THROW((void)parse_multipart("--abcjunk\r\n\r\nx\r\n--abc--", "abc"), body_error);
  EXPECT_THROW((void)parse_multipart("--abc--", ""), body_error);
  EXPECT_THROW((void)parse_multipart("--abc--", std::string(71, 'a')), body_error);
  std::string many;
  for (int i = 0; i < 5; ++i) many += "--b\r\n\r\nx\r\n";
  many += "--b--";
  EXPECT_EQ(parse_multipart(many, "b").size(), 5U);
  EXPECT_THROW((void)parse_multipart(many, "b", 4), body_error);
}

TEST(http_multipart, form_data_round_trips) {
  aio::http::form_data form;
  EXPECT_TRUE(form.boundary().starts_with("----aioFormBoundary"));
  form.add_field("title", "holiday \"2024\"");
  form.add_field("meta", "{\"a\":1}", "application/json");
  form.add_file("photo", "be\"ach.jpg", std::string("\xff\xd8\xff\x00", 4), "image/jpeg");
  auto ct = aio::http::content_type::parse(form.content_type());
  EXPECT_EQ(ct.mime_type(), "multipart/form-data");
  auto parts = parse_multipart(form.body(), *ct.param("boundary"));
  ASSERT_EQ(parts.size(), 3U);
  EXPECT_EQ(parts[0].name, "title");
  EXPECT_EQ(parts[0].body, "holiday \"2024\"");
  EXPECT_EQ(parts[1].content_type, "application/json");
  EXPECT_EQ(parts[2].filename, "be%22ach.jpg");  // escaped as browsers do
  EXPECT_EQ(parts[2].body, std::string("\xff\xd8\xff\x00", 4));
  EXPECT_NE(aio::http::form_data().boundary(), form.boundary());
}

TEST(http_multipart, form_data_checks_its_boundary) {
  EXPECT_THROW(aio::http::form_data("bad\"boundary"), std::invalid_argument);
  aio::http::form_data form("simple");
  EXPECT_EQ(form.content_type(), "multipart/form-data; boundary=simple");
  form.add_field("x", "contains --simple inside");
  EXPECT_THROW((void)form.body(), std::invalid_argument);
  EXPECT_EQ(aio::http::form_data("a b").content_type(), "multipart/form-data; boundary=\"a b\"");
}

}  // namespace
