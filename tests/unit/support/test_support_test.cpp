// The test harness itself: aio_test::run must fail a test whose loop swallowed a failure (a report
// to the exception handler the test did not declare), or every other test's silence proves nothing.

#include "test_support.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

namespace {

using namespace std::chrono_literals;

aio::coro<> throwing_callback() {
  aio::get_running_loop().call_soon([] { throw std::runtime_error("the callback's own words"); });
  co_await aio::sleep(0s);
}

aio::coro<> fail_after_yield() {
  co_await aio::sleep(0s);
  throw std::logic_error("nobody looked");
}

aio::coro<> lose_a_task_failure() {
  { (void)aio::create_task(fail_after_yield(), "forgotten"); }
  for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
}

TEST(test_support, an_unexpected_report_fails_the_test_with_its_text) {
  EXPECT_NONFATAL_FAILURE(aio_test::run(throwing_callback()),
                          "Exception in callback: the callback's own words");
}

TEST(test_support, a_never_retrieved_task_failure_fails_the_test_with_the_task_name) {
  EXPECT_NONFATAL_FAILURE(aio_test::run(lose_a_task_failure()),
                          "Task exception was never retrieved [task 'forgotten']: nobody looked");
}

TEST(test_support, a_declared_report_passes_and_stays_readable) {
  aio_test::run(throwing_callback(), {.expected_reports = 1});
  ASSERT_EQ(aio_test::reports().size(), 1U);
  EXPECT_EQ(aio_test::reports()[0].message, "Exception in callback");
}

TEST(test_support, more_reports_than_declared_fail) {
  EXPECT_NONFATAL_FAILURE(aio_test::run(
                              []() -> aio::coro<> {
                                co_await throwing_callback();
                                co_await throwing_callback();
                              }(),
                              {.expected_reports = 1}),
                          "received 2 report(s) where the test expected 1");
}

TEST(test_support, fewer_reports_than_declared_fail) {
  EXPECT_NONFATAL_FAILURE(
      aio_test::run([]() -> aio::coro<> { co_await aio::sleep(0s); }(), {.expected_reports = 1}),
      "received 0 report(s) where the test expected 1");
}

TEST(test_support, reports_the_test_clears_during_the_run_are_handled) {
  aio_test::run([]() -> aio::coro<> {
    co_await throwing_callback();
    EXPECT_EQ(aio_test::report_messages(), std::vector<std::string>{"Exception in callback"});
    aio_test::reports().clear();
  }());
}

aio::coro<int> seven_after_a_second() {
  co_await aio::sleep(1s);
  co_return 7;
}

TEST(test_support, was_cancelled_tells_a_cancelled_await_from_a_finished_one) {
  aio_test::run([]() -> aio::coro<> {
    aio::task<int> stopped = aio::create_task(seven_after_a_second());
    aio::task<int> finished = aio::create_task(seven_after_a_second());
    stopped.cancel();
    const bool first = co_await aio_test::was_cancelled(stopped);
    const bool second = co_await aio_test::was_cancelled(finished);
    const bool slept = co_await aio_test::was_cancelled(aio::sleep(1s));
    EXPECT_TRUE(first);
    EXPECT_FALSE(second);
    EXPECT_FALSE(slept);
    EXPECT_EQ(finished.result(), 7);  // it awaited a copy of the handle: the value is still there
  }());
}

TEST(test_support, was_cancelled_lets_other_failures_through) {
  aio_test::run([]() -> aio::coro<> {
    EXPECT_THROW((void)co_await aio_test::was_cancelled(fail_after_yield()), std::logic_error);
  }());
}

}  // namespace
