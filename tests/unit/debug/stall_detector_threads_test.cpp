#include "aio/debug/stall_detector.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <string>
#include <thread>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace stall_test {

// What a careless handler does: a blocking call on the loop's thread. Not inlined, so that the native
// stack names it.
[[gnu::noinline]] void block_the_loop_on_purpose() {
  std::this_thread::sleep_for(300ms);
  asm volatile("" ::: "memory");  // keeps the call from being a tail call
}

aio::coro<> careless_handler() {
  co_await aio::sleep(0s);
  block_the_loop_on_purpose();
}

aio::coro<> serves_requests() { co_await careless_handler(); }

}  // namespace stall_test

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(stall_detector, names_the_blocking_function_and_the_task_once_per_stall) {
  aio_test::run(
      []() -> aio::coro<> {
        auto t = aio::create_task(stall_test::serves_requests(), "blocker");
        co_await t;
        co_await aio::sleep(100ms);  // the loop moves again: the end of the stall is noted
      }(),
      {.clock = aio::real_clock, .expected_reports = 2, .stall_threshold = 100ms});
  const auto& reports = aio_test::reports();
  ASSERT_EQ(reports.size(), 2U);
  const std::string& text = reports[0].message;
  EXPECT_TRUE(contains(text, "the event loop has been stalled for")) << text;
  EXPECT_EQ(reports[0].task_name, "blocker") << text;
  EXPECT_TRUE(contains(text, "task 'blocker' is running")) << text;
  // The culprit, from the native stack, and the coroutines it was called from, from the await graph.
  EXPECT_TRUE(contains(text, "stall_test::block_the_loop_on_purpose()")) << text;
  EXPECT_TRUE(contains(text, "* Task(name='blocker'")) << text;
  EXPECT_TRUE(contains(text, "in async stall_test::careless_handler()")) << text;
  EXPECT_TRUE(contains(text, "in async stall_test::serves_requests()")) << text;
  const std::string& end = reports[1].message;
  EXPECT_TRUE(contains(end, "the event loop stall ended after ")) << end;
  EXPECT_TRUE(contains(end, "(task 'blocker')")) << end;
}

TEST(stall_detector, an_idle_loop_is_not_stalled) {
  aio_test::run(
      []() -> aio::coro<> {
        co_await aio::sleep(300ms);  // waiting in the poll: idle
      }(),
      {.clock = aio::real_clock, .stall_threshold = 50ms});
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(stall_detector, a_detector_object_watches_a_loop_and_notes_the_end_when_destroyed) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::stall_detector watchdog(aio::get_running_loop(), 50ms);
        std::this_thread::sleep_for(200ms);  // a stall outside any coroutine of ours... in main itself
        co_return;                           // the destructor notes the end if the watchdog has not
      }(),
      {.clock = aio::real_clock, .expected_reports = 2});
  const auto& reports = aio_test::reports();
  ASSERT_EQ(reports.size(), 2U);
  EXPECT_TRUE(contains(reports[0].message, "task 'main' is running")) << reports[0].message;
  EXPECT_TRUE(contains(reports[1].message, "stall ended after")) << reports[1].message;
}

TEST(stall_detector, threshold_from_the_option_the_environment_or_debug_mode) {
  using aio::detail::stall_threshold_for;
  const aio::clock::duration set = 30ms;
  ::unsetenv("AIO_STALL_MS");
  EXPECT_EQ(stall_threshold_for(&set, false, 100ms), set);
  EXPECT_EQ(stall_threshold_for(nullptr, false, 100ms), aio::clock::duration::zero());
  EXPECT_EQ(stall_threshold_for(nullptr, true, 100ms), aio::clock::duration(100ms));
  ::setenv("AIO_STALL_MS", "250", 1);
  EXPECT_EQ(stall_threshold_for(nullptr, false, 100ms), aio::clock::duration(250ms));
  EXPECT_EQ(stall_threshold_for(&set, false, 100ms), set);  // the program's own choice wins
  ::setenv("AIO_STALL_MS", "0", 1);
  EXPECT_EQ(stall_threshold_for(nullptr, true, 100ms), aio::clock::duration::zero());
  ::unsetenv("AIO_STALL_MS");
  EXPECT_GE(aio::stall_detector::signal_number(), SIGRTMIN);
}

}  // namespace
