// aio::files with the thread pool at work (runs under TSan: the file name has "threads"): a 64 MiB copy
// while a ticker keeps running, many files at once, and cancellation that leaves every file consistent
// (nothing read is lost, nothing written is lost or doubled, no descriptor leaks).
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "aio/combinators/gather.hpp"
#include "aio/combinators/wait_for.hpp"
#include "aio/errors.hpp"
#include "aio/fs/file.hpp"
#include "aio/fs/open.hpp"
#include "aio/fs/operations.hpp"
#include "aio/fs/whole_file.hpp"
#include "fs_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

namespace files = aio::files;

constexpr std::size_t size = std::size_t{64} << 20;  // the large copy: 64 MiB in 1 MiB reads
constexpr std::int64_t chunk = std::int64_t{1} << 20;

// Yields to the loop forever, counting its turns: it only runs while the loop is free.
aio::coro<> ticker(std::size_t& ticks) {
  for (;;) {
    ++ticks;
    co_await aio::sleep(0s);
  }
}

aio::coro<> stop(aio::task<> t) {
  t.cancel();
  try {
    co_await t;
  } catch (const aio::cancelled_error&) {
  }
}

TEST(fs_file_threads, copy_64_mib_while_a_ticker_keeps_running) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string src = dir / "src.bin";
  const std::string dst = dir / "dst.bin";
  fs_test::write_file(src, fs_test::pattern_bytes(size, 42));
  std::size_t requests = 0;
  std::size_t ticks = 0;
  aio_test::run(
      [](std::string from, std::string to, std::size_t& requests, std::size_t& ticks) -> aio::coro<> {
        auto tick_task = aio::create_task(ticker(ticks));
        auto in = co_await files::open(from, "rb");
        auto out = co_await files::open(to, "wb");
        for (;;) {
          std::string block = co_await in.read(chunk);
          if (block.empty()) break;
          co_await out.write(std::move(block));
          requests += 2;
        }
        co_await in.close();
        co_await out.close();
        co_await stop(tick_task);
        EXPECT_EQ((co_await files::stat(to)).size, size);
      }(src, dst, requests, ticks));
  EXPECT_EQ(requests, 2 * (size / chunk));
  // Each request to the pool left the loop free for at least one turn: the ticker ran throughout.
  EXPECT_GE(ticks, requests);
  EXPECT_TRUE(fs_test::read_file(src) == fs_test::read_file(dst)) << "the copy differs from the source";
}

TEST(fs_file_threads, many_files_at_once) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::filesystem::path d) -> aio::coro<> {
    std::vector<aio::coro<std::size_t>> writes;
    for (int i = 0; i < 16; ++i) {
      writes.push_back(files::write_text(d / std::to_string(i), fs_test::pattern_bytes(100'000, i)));
    }
    co_await aio::gather(std::move(writes));
    std::vector<aio::coro<std::string>> reads;
    for (int i = 0; i < 16; ++i) reads.push_back(files::read_text(d / std::to_string(i)));
    const std::vector<std::string> contents = co_await aio::gather(std::move(reads));
    for (int i = 0; i < 16; ++i) EXPECT_EQ(contents[i], fs_test::pattern_bytes(100'000, i)) << i;
    EXPECT_EQ((co_await files::listdir(d)).size(), 16U);
  }(dir.path()));
}

TEST(fs_file_threads, a_cancelled_read_loses_nothing) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string content = fs_test::pattern_bytes(2'000'000, 5);
  fs_test::write_file(dir / "in.bin", content);
  aio_test::run([](std::string path, std::string expected) -> aio::coro<> {
    auto f = co_await files::open(path, "rb");
    EXPECT_TRUE(co_await f.read(10) == expected.substr(0, 10));
    for (const std::int64_t n : {300'000, 600'000, 900'000}) {  // each needs more than is buffered
      // Eager: the read runs at once up to its request, so the cancel surely finds it in flight.
      auto reader = aio::create_task(f.read(n), aio::task_options{.name = {}, .eager = true});
      EXPECT_TRUE(reader.cancel());
      EXPECT_THROW(co_await reader, aio::cancelled_error);
      EXPECT_EQ(co_await f.tell(), 10);  // waits for the abandoned request; the position did not move
    }
    EXPECT_TRUE(co_await f.read() == expected.substr(10));
    co_await f.close();
  }(dir / "in.bin", content));
}

TEST(fs_file_threads, a_cancelled_write_is_written_once_in_order) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string block = fs_test::pattern_bytes(200'000, 9);
  aio_test::run([](std::string path, std::string data) -> aio::coro<> {
    for (const char* mode : {"wb", "ab"}) {
      auto f = co_await files::open(path, mode);
      co_await f.write("head:");
      auto writer =
          aio::create_task(f.write(data), aio::task_options{.name = {}, .eager = true});  // a request
      writer.cancel();
      EXPECT_THROW(co_await writer, aio::cancelled_error);
      co_await f.write(":tail");
      co_await f.close();
    }
  }(dir / "out.bin", block));
  const std::string once = "head:" + block + ":tail";
  EXPECT_TRUE(fs_test::read_file(dir / "out.bin") == once + once);
}

TEST(fs_file_threads, lines_under_constant_timeouts_are_all_read_once) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 20'000; ++i) {
    expected.push_back("line " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 50), '.') +
                       "\n");
    text += expected.back();
  }
  fs_test::write_file(dir / "lines.txt", text);
  std::size_t timeouts = 0;
  aio_test::run([](std::string path, std::vector<std::string> want, std::size_t& timeouts) -> aio::coro<> {
    auto f = co_await files::open(path, "r");
    std::vector<std::string> got;
    for (;;) {
      std::string line;
      try {
        line = co_await aio::wait_for(f.readline(), 1us);
      } catch (const aio::timeout_error&) {
        ++timeouts;
        continue;
      }
      if (line.empty()) break;
      got.push_back(std::move(line));
    }
    EXPECT_TRUE(got == want) << got.size() << " lines instead of " << want.size();
    co_await f.close();
  }(dir / "lines.txt", expected, timeouts));
  RecordProperty("timeouts", static_cast<int>(timeouts));
}

TEST(fs_file_threads, writes_under_constant_timeouts_are_all_written_once) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "w");
    for (int i = 0; i < 3000; ++i) {
      try {
        co_await aio::wait_for(f.write(std::to_string(i) + std::string(100, '-') + "\n"), 1us);
      } catch (const aio::timeout_error&) {
        // accepted all the same: write() takes the bytes before it can be cancelled
      }
    }
    co_await f.close();
  }(dir / "out.txt"));
  std::string want;
  for (int i = 0; i < 3000; ++i) want += std::to_string(i) + std::string(100, '-') + "\n";
  EXPECT_TRUE(fs_test::read_file(dir / "out.txt") == want);
}

TEST(fs_file_threads, cancelled_opens_leak_no_descriptor) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  fs_test::write_file(dir / "f.txt", "x");
  std::size_t opened = 0;
  aio_test::run([](std::string path, std::size_t& opened) -> aio::coro<> {
    for (int i = 0; i < 200; ++i) {
      try {
        auto f = co_await aio::wait_for(files::open(path, "r"), 1us);
        ++opened;
        co_await f.close();
      } catch (const aio::timeout_error&) {
      }
    }
  }(dir / "f.txt", opened));
  RecordProperty("opened", static_cast<int>(opened));
}

TEST(fs_file_threads, dropping_a_file_with_a_request_in_flight) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string data = fs_test::pattern_bytes(300'000, 11);
  aio_test::run([](std::string path, std::string bytes) -> aio::coro<> {
    {
      auto f = co_await files::open(path, "wb");
      auto writer = aio::create_task(f.write(bytes), aio::task_options{.name = {}, .eager = true});
      writer.cancel();
      EXPECT_THROW(co_await writer, aio::cancelled_error);
    }                           // the file object goes; its request finishes and then closes the descriptor
    co_await aio::sleep(50ms);  // on virtual time, while the request is in flight, this follows the wall
    while (!(co_await files::exists(path)) || (co_await files::stat(path)).size < bytes.size()) {
      co_await aio::sleep(1ms);
    }
  }(dir / "out.bin", data));
  EXPECT_TRUE(fs_test::read_file(dir / "out.bin") == data);
}

}  // namespace
