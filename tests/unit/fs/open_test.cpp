// aio::files::open: Python's modes on real files in a temporary directory, and its failures as
// filesystem_error (a std::system_error with the errno and the path) or invalid_argument.
#include "aio/fs/open.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "aio/errors.hpp"
#include "fs_test_util.hpp"
#include "test_support.hpp"

namespace {

namespace files = aio::files;

// Expects `op` to throw filesystem_error with `err` for `path`, catchable as std::system_error.
template <class Coro>
aio::coro<> expect_fs_error(Coro op, std::errc err, std::string path) {
  try {
    co_await std::move(op);
    ADD_FAILURE() << "no exception for " << path;
  } catch (const std::filesystem::filesystem_error& e) {
    EXPECT_EQ(e.code(), std::make_error_code(err)) << e.what();
    EXPECT_EQ(e.path1().string(), path);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    const std::system_error& base = e;  // the documented type
    EXPECT_EQ(base.code().value(), static_cast<int>(err));
  }
}

TEST(fs_open, missing_file_is_enoent_with_the_path) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::string missing) -> aio::coro<> {
    co_await expect_fs_error(files::open(missing, "r"), std::errc::no_such_file_or_directory, missing);
    co_await expect_fs_error(files::open(missing, "r+"), std::errc::no_such_file_or_directory, missing);
    const std::string in_missing_dir = missing + "/sub/file";
    co_await expect_fs_error(files::open(in_missing_dir, "w"), std::errc::no_such_file_or_directory,
                             in_missing_dir);
  }(dir / "missing.txt"));
}

TEST(fs_open, a_directory_is_eisdir_in_every_mode) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::string d) -> aio::coro<> {
    for (const char* mode : {"r", "rb", "w", "a", "r+"}) {
      co_await expect_fs_error(files::open(d, mode), std::errc::is_a_directory, d);
    }
  }(dir.path().string()));
}

TEST(fs_open, exclusive_creates_and_then_fails_with_eexist) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string p = dir / "new.txt";
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "x");
    co_await f.write("once");
    co_await f.close();
    co_await expect_fs_error(files::open(path, "x"), std::errc::file_exists, path);
    co_await expect_fs_error(files::open(path, "xb+"), std::errc::file_exists, path);
  }(p));
  EXPECT_EQ(fs_test::read_file(p), "once");
}

TEST(fs_open, permission_denied_is_eacces) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  std::string path = dir / "secret.txt";
  fs_test::write_file(path, "x");
  if (::geteuid() == 0) {
    // root ignores file permissions; a read-only sysfs attribute still refuses writing.
    path = "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "running as root and no read-only sysfs file";
  } else {
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  }
  aio_test::run([](std::string p) -> aio::coro<> {
    co_await expect_fs_error(files::open(p, "w"), std::errc::permission_denied, p);
    co_await expect_fs_error(files::open(p, "a"), std::errc::permission_denied, p);
  }(path));
}

TEST(fs_open, bad_mode_is_invalid_argument_and_touches_nothing) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "never.txt";
  aio_test::run([](std::string path) -> aio::coro<> {
    for (const char* mode : {"", "rw", "wz", "rbt", "ww", "q"}) {
      EXPECT_THROW(co_await files::open(path, mode), std::invalid_argument) << mode;
    }
  }(p));
  EXPECT_FALSE(std::filesystem::exists(p));
}

TEST(fs_open, write_truncates_and_append_starts_at_the_end) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string p = dir / "f.txt";
  fs_test::write_file(p, "0123456789");
  aio_test::run([](std::string path) -> aio::coro<> {
    {
      auto f = co_await files::open(path, "a");
      EXPECT_EQ(co_await f.tell(), 10);
      EXPECT_TRUE(f.writable());
      EXPECT_FALSE(f.readable());
      co_await f.close();
    }
    {
      auto f = co_await files::open(path, "r");
      EXPECT_EQ(co_await f.tell(), 0);
      EXPECT_EQ(f.name(), path);
      EXPECT_EQ(f.mode(), "r");
      EXPECT_FALSE(f.closed());
      co_await f.close();
      EXPECT_TRUE(f.closed());
    }
    auto f = co_await files::open(path, "wb");
    EXPECT_EQ(f.mode(), "wb");
    co_await f.close();
  }(p));
  EXPECT_EQ(fs_test::read_file(p), "");
}

TEST(fs_open, accepts_a_filesystem_path) {
  const fs_test::temp_dir dir;
  fs_test::write_file(dir / "p.txt", "path");
  aio_test::run([](std::filesystem::path path) -> aio::coro<> {
    auto f = co_await files::open(path / "p.txt");  // "r" by default
    EXPECT_EQ(co_await f.read(), "path");
    co_await f.close();
  }(dir.path()));
}

}  // namespace
