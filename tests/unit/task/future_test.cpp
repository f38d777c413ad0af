#include "aio/task/future.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(future, set_result_wakes_awaiters_on_a_later_turn) {
  aio_test::run([]() -> aio::coro<> {
    aio::future<int> f;
    EXPECT_FALSE(f.done());
    auto setter = aio::create_task([](aio::future<int> f) -> aio::coro<> {
      co_await aio::sleep(1s);
      f.set_result(2026);
    }(f));
    const auto start = aio::get_running_loop().time();
    EXPECT_EQ(co_await f, 2026);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 1.0);
    EXPECT_EQ(f.result(), 2026);
    co_await setter;
  }());
}

TEST(future, setting_twice_is_an_invalid_state) {
  aio_test::run([]() -> aio::coro<> {
    aio::future<int> f;
    f.set_result(1);
    EXPECT_THROW(f.set_result(2), aio::invalid_state_error);
    EXPECT_THROW(f.set_exception(std::make_exception_ptr(std::runtime_error("x"))), aio::invalid_state_error);
    EXPECT_EQ(f.result(), 1);
    EXPECT_FALSE(f.cancel());
    co_return;
  }());
}

TEST(future, set_exception_rethrows_and_null_is_rejected) {
  aio_test::run([]() -> aio::coro<> {
    aio::future<> f;
    EXPECT_THROW(f.set_exception(nullptr), std::invalid_argument);
    f.set_exception(std::make_exception_ptr(std::runtime_error("failed")));
    EXPECT_THROW(co_await f, std::runtime_error);
    EXPECT_NE(f.exception(), nullptr);
  }());
}

TEST(future, cancel_wakes_awaiters_with_cancelled_error) {
  aio_test::run([]() -> aio::coro<> {
    aio::future<std::string> f;
    auto waiter = aio::create_task([](aio::future<std::string> f) -> aio::coro<bool> {
      try {
        (void)co_await f;
      } catch (const aio::cancelled_error& e) {
        EXPECT_STREQ(e.what(), "stop");
        co_return true;
      }
      co_return false;
    }(f));
    co_await aio::sleep(0s);
    EXPECT_TRUE(f.cancel("stop"));
    EXPECT_TRUE(f.cancelled());
    EXPECT_TRUE(co_await waiter);
    EXPECT_THROW((void)f.result(), aio::cancelled_error);
    EXPECT_THROW((void)f.exception(), aio::cancelled_error);
  }());
}

TEST(future, cancelling_the_awaiting_task_cancels_the_future) {
  aio_test::run([]() -> aio::coro<> {
    aio::future<int> f;
    auto waiter = aio::create_task([](aio::future<int> f) -> aio::coro<> { (void)co_await f; }(f));
    co_await aio::sleep(0s);
    waiter.cancel();
    EXPECT_THROW(co_await waiter, aio::cancelled_error);
    EXPECT_TRUE(f.cancelled());
    EXPECT_TRUE(waiter.cancelled());
  }());
}

TEST(future, done_callbacks_receive_the_future) {
  aio_test::run([]() -> aio::coro<> {
    aio::future<int> f;
    int seen = 0;
    f.add_done_callback([&seen](const aio::future<int>& done) { seen = done.result(); });
    f.set_result(5);
    EXPECT_EQ(seen, 0);
    co_await aio::sleep(0s);
    EXPECT_EQ(seen, 5);
  }());
}

TEST(future, outside_a_loop_is_a_clear_error) { EXPECT_THROW(aio::future<int>{}, std::runtime_error); }

TEST(future, unretrieved_exception_is_reported) {
  aio_test::run(
      []() -> aio::coro<> {
        {
          aio::future<int> f;
          f.set_exception(std::make_exception_ptr(std::runtime_error("lost")));
        }
        co_return;
      }(),
      {.expected_reports = 1});
  ASSERT_EQ(aio_test::reports().size(), 1U);
  EXPECT_EQ(aio_test::reports()[0].message, "Future exception was never retrieved");
}

}  // namespace
