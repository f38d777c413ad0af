// aio::files::read_text / write_text / read_bytes / write_bytes.
#include "aio/fs/whole_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "fs_test_util.hpp"
#include "test_support.hpp"

namespace {

namespace files = aio::files;

TEST(fs_whole_file, write_then_read_text_and_bytes) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string big = fs_test::pattern_bytes(1'000'000, 3);
  aio_test::run([](std::filesystem::path d, std::string data) -> aio::coro<> {
    EXPECT_EQ(co_await files::write_text(d / "t.txt", "line\r\n"), 6U);
    EXPECT_EQ(co_await files::read_text(d / "t.txt"), "line\r\n");
    EXPECT_EQ(co_await files::write_text(d / "t.txt", "shorter"), 7U);  // replaces
    EXPECT_EQ(co_await files::read_text(d / "t.txt"), "shorter");
    EXPECT_EQ(co_await files::write_bytes(d / "b.bin", data), data.size());
    EXPECT_TRUE((co_await files::read_bytes(d / "b.bin")) == data);
    EXPECT_EQ(co_await files::write_text(d / "empty", ""), 0U);
    EXPECT_EQ(co_await files::read_text(d / "empty"), "");
  }(dir.path(), big));
  EXPECT_TRUE(fs_test::read_file(dir / "b.bin") == big);
}

TEST(fs_whole_file, failures_name_the_path) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::filesystem::path d) -> aio::coro<> {
    try {
      co_await files::read_text(d / "missing");
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::make_error_code(std::errc::no_such_file_or_directory));
      EXPECT_NE(std::string(e.what()).find((d / "missing").string()), std::string::npos) << e.what();
    }
    EXPECT_THROW(co_await files::write_text(d / "no" / "dir", "x"), std::filesystem::filesystem_error);
    EXPECT_THROW(co_await files::read_bytes(d), std::filesystem::filesystem_error);  // a directory
  }(dir.path()));
}

}  // namespace
