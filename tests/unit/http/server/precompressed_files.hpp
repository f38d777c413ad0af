#pragma once
// The files of the precompressed-sibling tests (unit and integration): a text, its gzip form, and a
// directory they are written to.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "../../../../src/http/compression.hpp"

namespace precompressed_test {

/// A compressible text of 2000 rows, served as index.txt.
inline std::string original() {
  std::string s;
  for (int i = 0; i < 2000; ++i) s += "row " + std::to_string(i) + " of a precompressed text file\n";
  return s;
}

/// `original()` gzipped at level 9: the bytes of index.txt.gz.
inline std::string gzipped() {
  return aio::http::detail::compress(original(), aio::http::content_coding::gzip, 9);
}

/// A directory of files, removed at the end; each test gets its own.
class temp_dir {
 public:
  temp_dir() {
    static int counter = 0;
    m_dir = std::filesystem::temp_directory_path() /
            ("aio_precompressed_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(m_dir);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() { std::filesystem::remove_all(m_dir); }

  /// Writes `name` with `content`, and, when given, the modification time `mtime` (seconds since the
  /// epoch): the validators the tests expect depend on it.
  void write(const std::string& name, const std::string& content, std::time_t mtime = 0) const {
    const std::filesystem::path p = m_dir / name;
    std::ofstream(p, std::ios::binary) << content;
    if (mtime == 0) return;
    const timespec times[2] = {{mtime, 0}, {mtime, 0}};
    EXPECT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return m_dir; }

 private:
  std::filesystem::path m_dir;
};

}  // namespace precompressed_test
