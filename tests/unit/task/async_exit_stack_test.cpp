// aio::async_exit_stack: reverse closing order over real files and callbacks, owned and borrowed
// entries, every entry closed despite failures (the first propagates, the rest are reported), the
// stack under aio::with, and closes that run to their end when the task is cancelled.
#include "aio/task/async_exit_stack.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "../fs/fs_test_util.hpp"
#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using log_t = std::vector<std::string>;

aio::coro<> note(log_t* log, std::string what) {
  co_await aio::sleep(1s);  // a real suspension inside every callback
  log->push_back(std::move(what));
}

aio::coro<> fail(log_t* log, std::string what) {
  co_await aio::sleep(1s);
  log->push_back(what);
  throw std::runtime_error(what);
}

TEST(async_exit_stack, closes_files_and_runs_callbacks_last_in_first_out) {
  const fs_test::temp_dir dir;
  const std::string a = dir / "a.txt";
  const std::string b = dir / "b.txt";
  log_t log;
  aio_test::run([](std::string a, std::string b, log_t& log) -> aio::coro<> {
    aio::async_exit_stack stack;
    stack.push_callback(note, &log, "first pushed");
    auto& fa = co_await stack.enter(co_await aio::files::open(a, "w"));  // owned by the stack
    stack.push_callback([&]() -> aio::coro<> {
      // Runs before fa is closed (fa was entered earlier): its buffered bytes are not on disk yet.
      log.push_back("a holds '" + fs_test::read_file(a) + "'");
      co_return;
    });
    auto fb = co_await aio::files::open(b, "w");
    auto& fb_ref = co_await stack.enter(fb);  // borrowed
    EXPECT_EQ(&fb_ref, &fb);
    co_await fa.write("A");
    co_await fb.write("B");
    stack.push_callback(note, &log, "last pushed");
    EXPECT_EQ(stack.size(), 5U);
    co_await stack.aclose();
    EXPECT_EQ(stack.size(), 0U);
    EXPECT_TRUE(fb.closed());
    EXPECT_EQ(fs_test::read_file(a), "A");
    EXPECT_EQ(fs_test::read_file(b), "B");
  }(a, b, log));
  EXPECT_EQ(log, (log_t{"last pushed", "a holds ''", "first pushed"}));
}

TEST(async_exit_stack, every_entry_is_closed_and_the_first_failure_propagates) {
  log_t log;
  aio_test::run([](log_t& log) -> aio::coro<> {
    aio::async_exit_stack stack;
    stack.push_callback(note, &log, "c1");
    stack.push_callback(fail, &log, "c2 failed");
    stack.push_callback(fail, &log, "c3 failed");
    bool caught = false;
    try {
      co_await stack.aclose();
    } catch (const std::runtime_error& e) {
      caught = true;
      EXPECT_STREQ(e.what(), "c3 failed");  // the first to fail, in closing order
    }
    EXPECT_TRUE(caught);
    EXPECT_EQ(aio_test::report_messages(),
              log_t{"aio: aio::async_exit_stack: a close failed while an earlier exception propagated"});
    aio_test::reports().clear();
  }(log));
  EXPECT_EQ(log, (log_t{"c3 failed", "c2 failed", "c1"}));
}

TEST(async_exit_stack, under_with_the_body_exception_wins) {
  log_t log;
  aio_test::run([](log_t& log) -> aio::coro<> {
    EXPECT_THROW(co_await aio::with(aio::async_exit_stack(),
                                    [&](aio::async_exit_stack& stack) -> aio::coro<> {
                                      stack.push_callback(fail, &log, "close failed");
                                      stack.push_callback(note, &log, "closed");
                                      co_await aio::sleep(1s);
                                      throw std::invalid_argument("body");
                                    }),
                 std::invalid_argument);
    EXPECT_EQ(aio_test::report_messages(),
              log_t{"aio: aio::with: a close failed while an earlier exception propagated"});
    aio_test::reports().clear();
  }(log));
  EXPECT_EQ(log, (log_t{"closed", "close failed"}));
}

TEST(async_exit_stack, with_returns_the_body_value_after_closing) {
  log_t log;
  int n = aio_test::run([](log_t& log) -> aio::coro<int> {
    co_return co_await aio::with(aio::async_exit_stack(),
                                 [&](aio::async_exit_stack& stack) -> aio::coro<int> {
                                   stack.push_callback(note, &log, "closed");
                                   co_return 5;
                                 });
  }(log));
  EXPECT_EQ(n, 5);
  EXPECT_EQ(log, (log_t{"closed"}));
}

TEST(async_exit_stack, a_cancel_during_aclose_lets_every_close_finish_then_is_delivered) {
  log_t log;
  aio_test::run([](log_t& log) -> aio::coro<> {
    auto start = aio::get_running_loop().time();
    auto t = aio::create_task([](log_t& log) -> aio::coro<> {
      aio::async_exit_stack stack;
      stack.push_callback(note, &log, "c1");
      stack.push_callback(note, &log, "c2");
      stack.push_callback(note, &log, "c3");
      co_await stack.aclose();
      log.emplace_back("after aclose");  // never
    }(log));
    co_await aio::sleep(500ms);  // inside c3's sleep
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 3.0);
  }(log));
  EXPECT_EQ(log, (log_t{"c3", "c2", "c1"}));
}

TEST(async_exit_stack, a_move_takes_every_entry) {
  log_t log;
  aio_test::run([](log_t& log) -> aio::coro<> {
    aio::async_exit_stack outer;
    outer.push_callback(note, &log, "moved");
    aio::async_exit_stack inner = std::move(outer);  // asyncio's pop_all()
    EXPECT_EQ(outer.size(), 0U);                     // NOLINT(bugprone-use-after-move): documented empty
    co_await outer.aclose();
    EXPECT_TRUE(log.empty());
    co_await inner.aclose();
  }(log));
  EXPECT_EQ(log, (log_t{"moved"}));
}

TEST(async_exit_stack, a_process_and_a_server_entered_are_closed) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::process kept;
        aio::server* srv = nullptr;
        {
          aio::async_exit_stack stack;
          auto& p = co_await stack.enter(
              co_await aio::create_subprocess_shell("cat >/dev/null", {.stdin_ = aio::pipe}));
          kept = p;
          auto handle = [](aio::stream_reader, aio::stream_writer) -> aio::coro<> { co_return; };
          srv = &co_await stack.enter(co_await aio::start_server(handle, "127.0.0.1", 0));
          EXPECT_TRUE(srv->is_serving());
          co_await stack.aclose();
        }
        EXPECT_EQ(kept.returncode(), 0);
      }(),
      {.clock = aio::real_clock});
}

}  // namespace
