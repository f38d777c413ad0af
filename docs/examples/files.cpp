// docs/guide/files.md's fragments, completed into a test: several tasks writing one file.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "test_support.hpp"

namespace {

// ---- several tasks on one file
aio::coro<> writer(aio::files::file& f, char c) {
  for (int i = 0; i < 20; ++i) co_await f.write(std::string(100'000, c));
}

aio::coro<> two_writers() {
  auto f = co_await aio::files::open("out.bin", "wb");
  co_await aio::gather(writer(f, 'a'), writer(f, 'b'));  // 40 whole blocks: a, b, a, b, ...
  co_await f.close();
}

}  // namespace

TEST(files_guide, two_tasks_write_whole_blocks_in_turn) {
  const auto dir = std::filesystem::temp_directory_path() / ("aio_files_guide_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  aio_test::run(two_writers());
  std::filesystem::current_path(old);
  std::ifstream in(dir / "out.bin", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(bytes.size(), 40U * 100'000U);
  for (std::size_t block = 0; block < 40; ++block) {
    const char want = block % 2 == 0 ? 'a' : 'b';
    ASSERT_EQ(bytes.find_first_not_of(want, block * 100'000),
              block == 39 ? std::string::npos : (block + 1) * 100'000)
        << "block " << block;
  }
}
