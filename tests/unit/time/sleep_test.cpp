#include "aio/time/sleep.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<> record_after(std::vector<std::string>* log, std::string name, aio::clock::duration d) {
  co_await aio::sleep(d);
  log->push_back(std::move(name));
}

TEST(sleep, wakes_in_deadline_order_then_fifo) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    auto a = aio::create_task(record_after(log, "a3", 3s));
    auto b = aio::create_task(record_after(log, "b1", 1s));
    auto c = aio::create_task(record_after(log, "c1", 1s));
    auto d = aio::create_task(record_after(log, "d2", 2s));
    co_await a;
    co_await b;
    co_await c;
    co_await d;
  }(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"b1", "c1", "d2", "a3"}));
}

TEST(sleep, zero_yields_exactly_once) {
  aio_test::run([]() -> aio::coro<> {
    int steps = 0;
    auto t = aio::create_task([](int* steps) -> aio::coro<> {
      ++*steps;
      co_await aio::sleep(0s);
      ++*steps;
    }(&steps));
    co_await aio::sleep(0s);  // t takes its first step
    EXPECT_EQ(steps, 1);
    co_await aio::sleep(0s);  // and its second
    EXPECT_EQ(steps, 2);
    co_await t;
  }());
}

TEST(sleep, negative_and_fractional_durations) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    auto start = loop.time();
    co_await aio::sleep(-5s);
    EXPECT_EQ(loop.time(), start);
    co_await aio::sleep(std::chrono::duration<double>(0.25));
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.25);
    start = loop.time();
    co_await aio::sleep_until(start + 2s);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 2.0);
    co_await aio::sleep_until(start);  // in the past: yields once
  }());
}

TEST(sleep, outside_a_task_is_a_clear_error) {
  aio::event_loop loop;
  bool threw = false;
  // A coroutine resumed by hand (not a task) has no current task.
  auto c = []() -> aio::coro<> { co_await aio::sleep(1s); }();
  auto h = c.release();
  try {
    h.resume();
  } catch (const std::runtime_error&) {
    threw = true;
  }
  EXPECT_TRUE(h.promise().has(aio::detail::task_header::flag_error));
  h.destroy();
  EXPECT_FALSE(threw);  // the error went into the coroutine's result
}

TEST(sleep, cancel_withdraws_the_timer) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    std::vector<std::string> log;
    auto t = aio::create_task(record_after(&log, "late", 100s));
    co_await aio::sleep(0s);
    EXPECT_EQ(loop.pending_timers(), 1U);
    t.cancel();
    EXPECT_EQ(loop.pending_timers(), 0U);
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_TRUE(log.empty());
  }());
}

template <class D>
aio::coro<> nap(D d) {
  co_await aio::sleep(d);
}

TEST(sleep, durations_past_the_clocks_end_mean_never) {
  aio_test::run([]() -> aio::coro<> {
    // In nanoseconds these overflow 64 bits: they must sleep forever, not return at once.
    EXPECT_THROW(co_await aio::wait_for(nap(std::chrono::hours::max()), 1s), aio::timeout_error);
    EXPECT_THROW(co_await aio::wait_for(nap(std::chrono::duration<double>(1e300)), 1s), aio::timeout_error);
    EXPECT_THROW(co_await aio::wait_for(
                     nap(std::chrono::duration<double>(std::numeric_limits<double>::infinity())), 1s),
                 aio::timeout_error);
    auto& loop = aio::get_running_loop();
    const auto start = loop.time();
    co_await aio::sleep(
        std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN()));  // NaN: no wait
    co_await aio::sleep(-std::chrono::hours::max());
    EXPECT_EQ(loop.time(), start);
    bool fired = false;
    aio::timer_handle h = loop.call_later(std::chrono::hours::max(), [&fired] { fired = true; });
    co_await aio::sleep(1000s);
    EXPECT_FALSE(fired);
    h.cancel();
  }());
}

}  // namespace
