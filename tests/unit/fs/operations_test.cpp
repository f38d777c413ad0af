// aio::files path operations: stat, exists, remove, rmdir, rename, mkdir (parents, exist_ok), listdir.
#include "aio/fs/operations.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "fs_test_util.hpp"
#include "test_support.hpp"

namespace {

namespace files = aio::files;

// Expects `op` to throw filesystem_error with `err`.
template <class Coro>
aio::coro<> expect_errc(Coro op, std::errc err) {
  try {
    co_await std::move(op);
    ADD_FAILURE() << "no exception";
  } catch (const std::filesystem::filesystem_error& e) {
    EXPECT_EQ(e.code(), std::make_error_code(err)) << e.what();
  }
}

TEST(fs_operations, stat_a_file_and_a_directory) {
  const fs_test::temp_dir dir;
  fs_test::write_file(dir / "f.txt", "12345");
  const auto before = std::chrono::system_clock::now() - std::chrono::minutes(1);
  aio_test::run([](std::filesystem::path d, std::chrono::system_clock::time_point not_before) -> aio::coro<> {
    const files::stat_result f = co_await files::stat(d / "f.txt");
    EXPECT_EQ(f.size, 5U);
    EXPECT_TRUE(f.is_file);
    EXPECT_FALSE(f.is_dir);
    EXPECT_GT(f.mtime, not_before);
    EXPECT_LT(f.mtime, std::chrono::system_clock::now() + std::chrono::minutes(1));
    EXPECT_EQ(f.mode & 0170000U, 0100000U);  // S_IFREG
    const files::stat_result s = co_await files::stat(d);
    EXPECT_TRUE(s.is_dir);
    EXPECT_FALSE(s.is_file);
    co_await expect_errc(files::stat(d / "missing"), std::errc::no_such_file_or_directory);
  }(dir.path(), before));
}

TEST(fs_operations, exists) {
  const fs_test::temp_dir dir;
  fs_test::write_file(dir / "f.txt", "");
  aio_test::run([](std::filesystem::path d) -> aio::coro<> {
    EXPECT_TRUE(co_await files::exists(d / "f.txt"));
    EXPECT_TRUE(co_await files::exists(d));
    EXPECT_FALSE(co_await files::exists(d / "missing"));
    EXPECT_FALSE(co_await files::exists(d / "f.txt" / "below a file"));  // ENOTDIR: false, no throw
  }(dir.path()));
}

TEST(fs_operations, remove_rmdir_and_rename) {
  const fs_test::temp_dir dir;
  fs_test::write_file(dir / "a.txt", "A");
  fs_test::write_file(dir / "b.txt", "B");
  aio_test::run([](std::filesystem::path d) -> aio::coro<> {
    co_await files::rename(d / "a.txt", d / "c.txt");
    EXPECT_FALSE(co_await files::exists(d / "a.txt"));
    co_await files::rename(d / "c.txt", d / "b.txt");  // replaces
    EXPECT_EQ(fs_test::read_file((d / "b.txt").string()), "A");
    try {
      co_await files::rename(d / "missing", d / "x");
      ADD_FAILURE() << "no exception";
    } catch (const std::filesystem::filesystem_error& e) {
      EXPECT_EQ(e.code(), std::make_error_code(std::errc::no_such_file_or_directory));
      EXPECT_EQ(e.path1(), d / "missing");
      EXPECT_EQ(e.path2(), d / "x");
    }
    co_await files::remove(d / "b.txt");
    EXPECT_FALSE(co_await files::exists(d / "b.txt"));
    co_await expect_errc(files::remove(d / "b.txt"), std::errc::no_such_file_or_directory);

    co_await files::mkdir(d / "sub");
    co_await expect_errc(files::remove(d / "sub"), std::errc::is_a_directory);
    fs_test::write_file((d / "sub" / "f").string(), "");
    co_await expect_errc(files::rmdir(d / "sub"), std::errc::directory_not_empty);
    co_await files::remove(d / "sub" / "f");
    co_await files::rmdir(d / "sub");
    EXPECT_FALSE(co_await files::exists(d / "sub"));
  }(dir.path()));
}

TEST(fs_operations, mkdir_parents_and_exist_ok) {
  const fs_test::temp_dir dir;
  aio_test::run([](std::filesystem::path d) -> aio::coro<> {
    co_await files::mkdir(d / "one");
    co_await expect_errc(files::mkdir(d / "one"), std::errc::file_exists);
    co_await files::mkdir(d / "one", {.exist_ok = true});
    co_await expect_errc(files::mkdir(d / "x" / "y"), std::errc::no_such_file_or_directory);
    co_await files::mkdir(d / "x" / "y" / "z", {.parents = true});
    EXPECT_TRUE((co_await files::stat(d / "x" / "y" / "z")).is_dir);
    co_await expect_errc(files::mkdir(d / "x" / "y" / "z", {.parents = true}), std::errc::file_exists);
    co_await files::mkdir(d / "x" / "y" / "z", {.parents = true, .exist_ok = true});
    co_await files::mkdir((d / "p" / "q").string() + "/", {.parents = true});  // a trailing slash
    EXPECT_TRUE(co_await files::exists(d / "p" / "q"));
    fs_test::write_file((d / "file").string(), "");
    co_await expect_errc(files::mkdir(d / "file", {.exist_ok = true}), std::errc::file_exists);  // not a dir
  }(dir.path()));
}

TEST(fs_operations, listdir_is_sorted_without_dot_entries) {
  const fs_test::temp_dir dir;
  for (const char* name : {"b", "a", "C", "a.txt", ".hidden"}) fs_test::write_file(dir / name, "");
  std::filesystem::create_directory(dir.path() / "dir");
  aio_test::run([](std::filesystem::path d) -> aio::coro<> {
    const std::vector<std::string> want1{".hidden", "C", "a", "a.txt", "b", "dir"};
    EXPECT_EQ(co_await files::listdir(d), want1);
    EXPECT_TRUE((co_await files::listdir(d / "dir")).empty());
    co_await expect_errc(files::listdir(d / "missing"), std::errc::no_such_file_or_directory);
    co_await expect_errc(files::listdir(d / "a"), std::errc::not_a_directory);
  }(dir.path()));
}

}  // namespace
