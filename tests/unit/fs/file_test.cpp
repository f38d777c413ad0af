// aio::files::file: reads, lines, buffered writes, seek/tell, the "+" and append modes, misuse (wrong
// direction, after close, a second operation queued behind the first) and the synchronous close of the
// destructor, on real files in a temporary directory.
#include "aio/fs/file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "aio/errors.hpp"
#include "aio/fs/open.hpp"
#include "fs_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

namespace files = aio::files;

TEST(fs_file, read_all_and_in_pieces) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string p = dir / "data.bin";
  const std::string content = fs_test::pattern_bytes(200'000);
  fs_test::write_file(p, content);
  aio_test::run([](std::string path, std::string expected) -> aio::coro<> {
    auto f = co_await files::open(path, "rb");
    EXPECT_EQ(co_await f.read(0), "");
    EXPECT_TRUE((co_await f.read(5)) == expected.substr(0, 5));
    EXPECT_TRUE((co_await f.read(100'000)) == expected.substr(5, 100'000));  // beyond one buffer
    EXPECT_EQ(co_await f.tell(), 100'005);
    EXPECT_TRUE((co_await f.read()) == expected.substr(100'005));
    EXPECT_EQ(co_await f.read(), "");  // at the end
    EXPECT_EQ(co_await f.read(10), "");
    co_await f.close();

    auto g = co_await files::open(path, "rb");
    EXPECT_TRUE((co_await g.read(1'000'000)) == expected);  // short only at the end
    co_await g.close();
  }(p, content));
}

TEST(fs_file, readline_next_line_and_readlines) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string p = dir / "lines.txt";
  const std::string long_line = std::string(150'000, 'x') + "\n";  // longer than two buffer fills
  fs_test::write_file(p, "first\n\nthird\r\n" + long_line + "last, without newline");
  aio_test::run([](std::string path, std::string long_line) -> aio::coro<> {
    auto f = co_await files::open(path, "r");
    EXPECT_EQ(co_await f.readline(), "first\n");
    EXPECT_EQ(co_await f.readline(), "\n");
    EXPECT_EQ(co_await f.readline(), "third\r\n");  // no newline translation
    EXPECT_EQ(co_await f.readline(), long_line);
    EXPECT_EQ(co_await f.readline(), "last, without newline");
    EXPECT_EQ(co_await f.readline(), "");
    EXPECT_EQ(co_await f.readline(), "");

    co_await f.seek(0);
    std::vector<std::string> lines;
    while (auto line = co_await f.next_line()) lines.push_back(*line);
    const std::vector<std::string> want0{"first\n", "\n", "third\r\n", long_line, "last, without newline"};
    EXPECT_EQ(lines, want0);
    EXPECT_EQ(co_await f.next_line(), std::nullopt);

    co_await f.seek(6);  // back into the buffered bytes
    const std::vector<std::string> want1{"\n", "third\r\n", long_line, "last, without newline"};
    EXPECT_EQ(co_await f.readlines(), want1);
    co_await f.close();
  }(p, long_line));
}

TEST(fs_file, mixing_read_and_readline) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "mix.txt";
  fs_test::write_file(p, "abc\ndef\nghi");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "r");
    EXPECT_EQ(co_await f.read(2), "ab");
    EXPECT_EQ(co_await f.readline(), "c\n");
    EXPECT_EQ(co_await f.read(1), "d");
    const std::vector<std::string> want2{"ef\n", "ghi"};
    EXPECT_EQ(co_await f.readlines(), want2);
    co_await f.close();
  }(p));
}

TEST(fs_file, writes_are_buffered_until_flush_or_close) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string p = dir / "out.txt";
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "w");
    EXPECT_EQ(co_await f.write("hello "), 6U);
    EXPECT_EQ(co_await f.write("world\n"), 6U);
    EXPECT_EQ(fs_test::read_file(path), "");  // still in the buffer
    EXPECT_EQ(co_await f.tell(), 12);
    co_await f.flush();
    EXPECT_EQ(fs_test::read_file(path), "hello world\n");
    co_await f.write("more");
    co_await f.close();
    EXPECT_EQ(fs_test::read_file(path), "hello world\nmore");
    co_await f.close();  // a second close does nothing
  }(p));
}

TEST(fs_file, large_writes_go_straight_out) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "big.bin";
  const std::string big = fs_test::pattern_bytes(300'000, 7);
  aio_test::run([](std::string path, std::string data) -> aio::coro<> {
    auto f = co_await files::open(path, "wb");
    co_await f.write("head");
    EXPECT_EQ(co_await f.write(data), data.size());
    EXPECT_TRUE(fs_test::read_file(path) == "head" + data);  // over the threshold: written with the head
    co_await f.fsync();
    co_await f.close();
  }(p, big));
}

TEST(fs_file, seek_and_tell) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "seek.txt";
  fs_test::write_file(p, "0123456789");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "rb");
    EXPECT_EQ(co_await f.seek(4), 4);
    EXPECT_EQ(co_await f.read(2), "45");
    EXPECT_EQ(co_await f.seek(-3, files::whence::cur), 3);
    EXPECT_EQ(co_await f.read(1), "3");
    EXPECT_EQ(co_await f.seek(-2, files::whence::end), 8);
    EXPECT_EQ(co_await f.read(), "89");
    EXPECT_EQ(co_await f.seek(100), 100);  // past the end is allowed
    EXPECT_EQ(co_await f.read(), "");
    try {
      co_await f.seek(-1);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::make_error_code(std::errc::invalid_argument));
    }
    EXPECT_EQ(co_await f.tell(), 100);  // unchanged by the failed seek
    co_await f.close();
  }(p));
}

TEST(fs_file, seeking_past_the_end_and_writing_leaves_a_hole_of_zeros) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "hole.bin";
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "wb");
    co_await f.write("ab");
    co_await f.seek(5);
    co_await f.write("z");
    co_await f.close();
  }(p));
  EXPECT_EQ(fs_test::read_file(p), std::string("ab\0\0\0z", 6));
}

TEST(fs_file, read_plus_overwrites_in_place) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "rp.txt";
  fs_test::write_file(p, "aaaa\nbbbb\ncccc\n");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "r+");
    EXPECT_EQ(co_await f.readline(), "aaaa\n");  // the whole file is now buffered
    co_await f.write("BBBB");                    // goes at position 5, read-ahead is dropped
    EXPECT_EQ(co_await f.tell(), 9);
    EXPECT_EQ(co_await f.readline(), "\n");  // the write is flushed first, then read after it
    EXPECT_EQ(co_await f.readline(), "cccc\n");
    co_await f.seek(0);
    EXPECT_EQ(co_await f.read(), "aaaa\nBBBB\ncccc\n");
    co_await f.close();
  }(p));
  EXPECT_EQ(fs_test::read_file(p), "aaaa\nBBBB\ncccc\n");
}

TEST(fs_file, write_plus_reads_back_what_it_wrote) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "wp.txt";
  fs_test::write_file(p, "old content");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "w+");
    EXPECT_EQ(co_await f.read(), "");  // truncated
    co_await f.write("line 1\nline 2\n");
    co_await f.seek(0);
    const std::vector<std::string> want3{"line 1\n", "line 2\n"};
    EXPECT_EQ(co_await f.readlines(), want3);
    co_await f.close();
  }(p));
}

TEST(fs_file, append_always_writes_at_the_end) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "log.txt";
  fs_test::write_file(p, "one\n");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "a+");
    EXPECT_EQ(co_await f.tell(), 4);
    co_await f.seek(0);
    EXPECT_EQ(co_await f.readline(), "one\n");
    co_await f.seek(0);
    co_await f.write("two\n");  // still at the end
    EXPECT_EQ(co_await f.tell(), 8);
    co_await f.seek(0);
    EXPECT_EQ(co_await f.read(), "one\ntwo\n");
    co_await f.close();

    auto g = co_await files::open(path, "a");
    co_await g.write("three\n");
    co_await g.close();
  }(p));
  EXPECT_EQ(fs_test::read_file(p), "one\ntwo\nthree\n");
}

TEST(fs_file, binary_bytes_round_trip) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "zeros.bin";
  const std::string bytes("\0\n\r\xff\x01\n\0", 7);
  aio_test::run([](std::string path, std::string data) -> aio::coro<> {
    auto w = co_await files::open(path, "wb");
    co_await w.write(data);
    co_await w.close();
    auto r = co_await files::open(path, "rb");
    EXPECT_EQ(co_await r.readline(), data.substr(0, 2));
    EXPECT_EQ(co_await r.read(), data.substr(2));
    co_await r.close();
  }(p, bytes));
}

TEST(fs_file, wrong_direction_is_ebadf) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string p = dir / "ro.txt";
  fs_test::write_file(p, "read only");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto r = co_await files::open(path, "r");
    try {
      co_await r.write("nope");
      ADD_FAILURE() << "no exception";
    } catch (const std::filesystem::filesystem_error& e) {
      EXPECT_EQ(e.code(), std::make_error_code(std::errc::bad_file_descriptor));
      EXPECT_NE(std::string(e.what()).find("not writable"), std::string::npos) << e.what();
      EXPECT_EQ(e.path1().string(), path);
    }
    EXPECT_EQ(co_await r.read(), "read only");  // still usable
    co_await r.close();

    auto w = co_await files::open(path, "a");
    EXPECT_THROW(co_await w.read(), std::system_error);
    EXPECT_THROW(co_await w.readline(), std::system_error);
    co_await w.close();
  }(p));
  EXPECT_EQ(fs_test::read_file(p), "read only");
}

TEST(fs_file, every_operation_after_close_is_a_clear_error) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "closed.txt";
  fs_test::write_file(p, "x");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "r+");
    co_await f.close();
    try {
      co_await f.read();
      ADD_FAILURE() << "no exception";
    } catch (const aio::invalid_state_error& e) {
      EXPECT_NE(std::string(e.what()).find("closed file"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    EXPECT_THROW(co_await f.readline(), aio::invalid_state_error);
    EXPECT_THROW(co_await f.next_line(), aio::invalid_state_error);
    EXPECT_THROW(co_await f.write("x"), aio::invalid_state_error);
    EXPECT_THROW(co_await f.flush(), aio::invalid_state_error);
    EXPECT_THROW(co_await f.seek(0), aio::invalid_state_error);
    EXPECT_THROW(co_await f.tell(), aio::invalid_state_error);
    co_await f.close();  // fine

    files::file empty;
    EXPECT_TRUE(empty.closed());
    EXPECT_EQ(empty.name(), "");
    EXPECT_THROW(co_await empty.read(), aio::invalid_state_error);
    co_await empty.close();
  }(p));
}

TEST(fs_file, a_second_operation_waits_for_the_first) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "busy.txt";
  fs_test::write_file(p, "busy\nrest");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "r");
    auto first = aio::create_task(f.readline());
    co_await aio::sleep(0s);               // first is now waiting for its fill
    EXPECT_EQ(co_await f.read(), "rest");  // queued behind the readline, then run
    EXPECT_TRUE(first.done());
    EXPECT_EQ(co_await first, "busy\n");
    co_await f.close();
  }(p));
}

TEST(fs_file, destructor_writes_the_buffer_and_closes) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string p = dir / "dtor.txt";
  aio_test::run([](std::string path) -> aio::coro<> {
    auto f = co_await files::open(path, "w");
    co_await f.write("kept by the destructor");
  }(p));
  EXPECT_EQ(fs_test::read_file(p), "kept by the destructor");
}

TEST(fs_file, move_keeps_the_file_and_assignment_closes_the_old_one) {
  const fs_test::fd_leak_check no_leak;
  const fs_test::temp_dir dir;
  const std::string a = dir / "a.txt";
  const std::string b = dir / "b.txt";
  aio_test::run([](std::string pa, std::string pb) -> aio::coro<> {
    auto f = co_await files::open(pa, "w");
    co_await f.write("A");
    files::file g = std::move(f);
    EXPECT_TRUE(f.closed());  // NOLINT(bugprone-use-after-move): documented state
    EXPECT_EQ(g.name(), pa);
    g = co_await files::open(pb, "w");  // the old one is closed, its "A" written
    EXPECT_EQ(fs_test::read_file(pa), "A");
    co_await g.write("B");
    co_await g.close();
  }(a, b));
  EXPECT_EQ(fs_test::read_file(b), "B");
}

}  // namespace
