// One aio::files::file used by several tasks at once (runs under TSan: the file name has "threads"):
// their operations run one at a time in the order they were awaited, each whole; a queued operation
// that is cancelled withdraws without disturbing the others; close() takes its turn like the rest and
// refuses what was queued behind it.
#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <string>
#include <system_error>
#include <vector>

#include "aio/combinators/gather.hpp"
#include "aio/combinators/wait_for.hpp"
#include "aio/errors.hpp"
#include "aio/fs/file.hpp"
#include "aio/fs/open.hpp"
#include "fs_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

namespace files = aio::files;

constexpr std::size_t block = 100'000;  // more than the 64 KiB buffer: every write is its own request

aio::coro<> writer(files::file& f, char c) {
  for (int i = 0; i < 20; ++i) co_await f.write(std::string(block, c));
}

TEST(fs_file_shared_threads, two_writers_gathered_write_whole_blocks_in_call_order) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "wb");
    co_await aio::gather(writer(f, 'a'), writer(f, 'b'));
    EXPECT_EQ(co_await f.tell(), 40 * static_cast<std::int64_t>(block));
    co_await f.close();
  }(dir / "out.bin"));
  const std::string got = fs_test::read_file(dir / "out.bin");
  ASSERT_EQ(got.size(), 40 * block);
  // Each write lands whole, and they alternate: a's second write was awaited after b's first.
  for (std::size_t i = 0; i < 40; ++i) {
    const char want = i % 2 == 0 ? 'a' : 'b';
    EXPECT_EQ(got.find_first_not_of(want, i * block), i + 1 == 40 ? std::string::npos : (i + 1) * block)
        << "block " << i;
  }
}

TEST(fs_file_shared_threads, a_reader_and_a_writer_share_the_position_turn_by_turn) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string original = fs_test::pattern_bytes(2'000'000, 3);
  fs_test::write_file(dir / "data.bin", original);
  aio_test::run([](std::string path, std::string original) -> aio::coro<> {
    auto f = co_await files::open(path, "r+b");
    // Turn by turn: read 50 kB, write 100 kB, read 50 kB... at the one position they share.
    auto reader = [](files::file& f, const std::string& original) -> aio::coro<> {
      for (std::size_t i = 0; i < 5; ++i) {
        const std::string got = co_await f.read(50'000);
        EXPECT_TRUE(got == original.substr(i * 150'000, 50'000)) << "read " << i;
      }
    };
    co_await aio::gather(reader(f, original), writer(f, 'w'));
    // The writer went on alone after the reader's last read.
    EXPECT_EQ(co_await f.tell(), 5 * 150'000 + 15 * static_cast<std::int64_t>(block));
    co_await f.close();
  }(dir / "data.bin", original));
  std::string want = original;
  for (std::size_t i = 0; i < 20; ++i) {
    const std::size_t at = i < 5 ? i * 150'000 + 50'000 : 5 * 150'000 + (i - 5) * block;
    if (want.size() < at + block) want.resize(at + block);
    want.replace(at, block, std::string(block, 'w'));
  }
  EXPECT_TRUE(fs_test::read_file(dir / "data.bin") == want);
}

TEST(fs_file_shared_threads, a_cancelled_queued_write_is_withdrawn_and_the_queue_goes_on) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "wb");
    auto first = aio::create_task(f.write(std::string(block, '1')));  // a request in flight
    auto second = aio::create_task(f.write("never written"));
    auto third = aio::create_task(f.write(std::string(block, '3')));
    auto fourth = aio::create_task(f.write("4"));
    co_await aio::sleep(0s);  // all four have started: the first holds the turn, the others queue
    EXPECT_TRUE(second.cancel());
    EXPECT_THROW(co_await second, aio::cancelled_error);
    EXPECT_EQ(co_await first, block);
    EXPECT_EQ(co_await fourth, 1U);  // in call order: the third wrote before it
    EXPECT_TRUE(third.done());
    EXPECT_EQ(co_await third, block);
    co_await f.close();
  }(dir / "out.bin"));
  EXPECT_TRUE(fs_test::read_file(dir / "out.bin") == std::string(block, '1') + std::string(block, '3') + "4");
}

TEST(fs_file_shared_threads, a_cancelled_write_in_flight_does_not_break_the_next_in_the_queue) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "ab");
    auto first = aio::create_task(f.write(std::string(block, '1')));
    auto second = aio::create_task(f.write(std::string(block, '2')));
    auto third = aio::create_task(f.readline());  // "r" is not allowed on "ab": fails in its turn
    co_await aio::sleep(0s);
    EXPECT_TRUE(first.cancel());  // in flight: its bytes are still written, before the second's
    EXPECT_THROW(co_await first, aio::cancelled_error);
    EXPECT_EQ(co_await second, block);
    EXPECT_THROW(co_await third, std::system_error);
    EXPECT_EQ(co_await f.tell(), 2 * static_cast<std::int64_t>(block));
    co_await f.close();
  }(dir / "out.bin"));
  EXPECT_TRUE(fs_test::read_file(dir / "out.bin") == std::string(block, '1') + std::string(block, '2'));
}

TEST(fs_file_shared_threads, close_waits_for_what_was_queued_before_it_and_refuses_what_came_after) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "wb");
    auto before = aio::create_task(f.write(std::string(block, 'b')));
    auto buffered = aio::create_task(f.write("queued before close"));
    auto closing = aio::create_task(f.close());
    auto after = aio::create_task(f.write("queued after close"));
    auto second_close = aio::create_task(f.close());
    co_await aio::sleep(0s);
    EXPECT_FALSE(f.closed());  // close() waits for its turn
    co_await closing;
    EXPECT_TRUE(f.closed());
    EXPECT_TRUE(before.done());
    EXPECT_EQ(co_await before, block);
    EXPECT_EQ(co_await buffered, 19U);
    try {
      co_await after;
      ADD_FAILURE() << "a write queued behind close() was not refused";
    } catch (const aio::invalid_state_error& e) {
      EXPECT_NE(std::string(e.what()).find("I/O operation on closed file"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    co_await second_close;  // a second close() does nothing, queued or not
  }(dir / "out.bin"));
  EXPECT_TRUE(fs_test::read_file(dir / "out.bin") == std::string(block, 'b') + "queued before close");
}

TEST(fs_file_shared_threads, a_file_used_after_close_is_a_clear_error_in_every_task) {
  const fs_test::temp_dir dir;
  fs_test::write_file(dir / "in.txt", "line\n");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "r+");
    co_await f.close();
    auto use = [](files::file& f) -> aio::coro<> {
      co_await f.readline();
      ADD_FAILURE() << "readline() after close() did not throw";
    };
    auto [a, b] = co_await aio::gather(aio::return_exceptions, use(f), use(f));
    const std::exception_ptr errors[] = {a.error(), b.error()};
    for (const std::exception_ptr& e : errors) {
      if (!e) {
        ADD_FAILURE() << "no exception";
        continue;
      }
      try {
        std::rethrow_exception(e);
      } catch (const aio::invalid_state_error& e) {
        EXPECT_NE(std::string(e.what()).find("readline(): I/O operation on closed file"), std::string::npos)
            << e.what();
      }
    }
    EXPECT_THROW(co_await f.fsync(), aio::invalid_state_error);
    EXPECT_THROW(co_await f.readlines(), aio::invalid_state_error);
  }(dir / "in.txt"));
}

// Rounds of one write in flight with 30 small writes and a tell() queued behind it; a third of the
// queued writes are cancelled before their turn. Exactly those are missing, the rest keep their order,
// and each tell() sees what was written before it: the queue survives hundreds of withdrawals.
TEST(fs_file_shared_threads, many_withdrawals_keep_the_queue_in_order) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  std::string expected;
  std::size_t withdrawals = 0;
  aio_test::run([](std::string path, std::string& expected, std::size_t& withdrawals) -> aio::coro<> {
    auto f = co_await files::open(path, "wb");
    for (int round = 0; round < 20; ++round) {
      const std::string head(block, static_cast<char>('A' + round));
      auto holder = aio::create_task(f.write(head));
      std::vector<std::string> lines;
      std::vector<aio::task<std::size_t>> queued;
      for (int i = 0; i < 30; ++i) {
        lines.push_back(std::to_string(round) + "." + std::to_string(i) + "\n");
        queued.push_back(aio::create_task(f.write(lines.back())));
      }
      auto position = aio::create_task(f.tell());
      co_await aio::sleep(0s);  // all of them have started: the holder's request is in flight
      std::vector<bool> withdrawn(queued.size());
      for (std::size_t i = 1; i < queued.size(); i += 3) withdrawn[i] = queued[i].cancel();
      expected += head;
      EXPECT_EQ(co_await holder, block);
      for (std::size_t i = 0; i < queued.size(); ++i) {
        if (withdrawn[i]) {
          ++withdrawals;
          EXPECT_THROW(co_await queued[i], aio::cancelled_error);
        } else {
          EXPECT_EQ(co_await queued[i], lines[i].size());
          expected += lines[i];
        }
      }
      EXPECT_EQ(co_await position, static_cast<std::int64_t>(expected.size())) << "round " << round;
    }
    co_await f.close();
  }(dir / "out.bin", expected, withdrawals));
  EXPECT_TRUE(fs_test::read_file(dir / "out.bin") == expected);
  EXPECT_GT(withdrawals, 0U);
  RecordProperty("withdrawals", static_cast<int>(withdrawals));
}

// The program ends with tasks still queued on a file: the loop's end cancels them, each leaves the
// queue, and nothing leaks or crashes (the file object outlives the loop and closes the file when it
// goes).
TEST(fs_file_shared_threads, leftover_tasks_queued_on_a_file_are_cancelled_cleanly) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  {
    files::file f;
    aio_test::run(
        [](files::file& f, std::string path) -> aio::coro<> {
          f = co_await files::open(path, "wb");
          aio::create_task(writer(f, 'a'));
          aio::create_task(writer(f, 'b'));
          co_await aio::sleep(0s);  // a's first write is in flight, b's is queued
        }(f, dir / "out.bin"),
        {.allow_leftover_tasks = true, .check_fds = false});
    EXPECT_FALSE(f.closed());
  }
  // The loop's end may also cancel the request in flight (whether its bytes land is not promised
  // then), but no write is torn.
  EXPECT_EQ(fs_test::read_file(dir / "out.bin").size() % block, 0U) << "a write was torn";
}

}  // namespace
