// aio::as_completed, against CPython 3.13's as_completed(): completion order, failures at their
// await, timeout_error for what is pending at the deadline, nothing cancelled, nothing lost when an
// awaiter is cancelled.
#include "aio/combinators/as_completed.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

#define CO_ASSERT(cond)                \
  if (!(cond)) {                       \
    ADD_FAILURE() << "failed: " #cond; \
    co_return;                         \
  }

namespace {

aio::coro<std::string> work(std::string name, std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  co_return name;
}

aio::coro<std::string> fail_after(std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  throw std::runtime_error("failed");
}

TEST(as_completed, yields_in_completion_order) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<std::string>> tasks;
    tasks.push_back(aio::create_task(work("slow", 30ms)));
    tasks.push_back(aio::create_task(work("fast", 10ms)));
    tasks.push_back(aio::create_task(work("medium", 20ms)));
    std::vector<std::string> order;
    const auto t0 = aio::get_running_loop().time();
    std::vector<double> times;
    for (auto next : aio::as_completed(tasks)) {
      order.push_back(co_await next);
      times.push_back(aio_test::seconds_since(t0));
    }
    EXPECT_EQ(order, (std::vector<std::string>{"fast", "medium", "slow"}));
    EXPECT_EQ(times, (std::vector<double>{0.010, 0.020, 0.030}));
    EXPECT_EQ(tasks[0].result(), "slow");  // shared tasks keep their result
  }());
}

TEST(as_completed, takes_coros_and_done_tasks_come_first_in_range_order) {
  aio_test::run([]() -> aio::coro<> {
    auto done1 = aio::create_task(work("done1", 0ms));
    auto done2 = aio::create_task(work("done2", 0ms));
    co_await done2;
    co_await done1;
    std::vector<aio::task<std::string>> tasks{aio::create_task(work("late", 5ms)), done1, done2};
    std::vector<std::string> order;
    for (auto next : aio::as_completed(tasks)) order.push_back(co_await next);
    EXPECT_EQ(order, (std::vector<std::string>{"done1", "done2", "late"}));
    std::vector<aio::coro<std::string>> coros;
    coros.push_back(work("b", 2ms));
    coros.push_back(work("a", 1ms));
    order.clear();
    for (auto next : aio::as_completed(std::move(coros))) order.push_back(co_await next);
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b"}));
  }());
}

TEST(as_completed, a_failure_is_rethrown_by_its_own_await) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<std::string>> coros;
    coros.push_back(work("ok", 20ms));
    coros.push_back(fail_after(10ms));
    auto range = aio::as_completed(std::move(coros));
    auto it = range.begin();
    EXPECT_THROW(co_await *it, std::runtime_error);
    ++it;
    EXPECT_EQ(co_await *it, "ok");
    ++it;
    EXPECT_TRUE(it == range.end());
  }());
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(as_completed, a_timeout_fails_only_what_is_pending_and_cancels_nothing) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<std::string>> tasks{aio::create_task(work("fast", 10ms)),
                                              aio::create_task(work("slow", 1h))};
    std::vector<std::string> got;
    int timeouts = 0;
    const auto t0 = aio::get_running_loop().time();
    for (auto next : aio::as_completed(tasks, 50ms)) {
      try {
        got.push_back(co_await next);
      } catch (const aio::timeout_error&) {
        ++timeouts;
      }
    }
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(t0), 0.050);
    EXPECT_EQ(got, (std::vector<std::string>{"fast"}));
    EXPECT_EQ(timeouts, 1);
    EXPECT_FALSE(tasks[1].done());  // not cancelled
    tasks[1].cancel();
    try {
      co_await tasks[1];
    } catch (const aio::cancelled_error&) {
    }
  }());
}

TEST(as_completed, a_timeout_after_everything_finished_leaves_no_timer) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<std::string>> coros;
    coros.push_back(work("x", 1ms));
    for (auto next : aio::as_completed(std::move(coros), 1h)) {
      EXPECT_EQ(co_await next, "x");
      EXPECT_EQ(aio::get_running_loop().pending_timers(), 0U);
    }
  }());
}

TEST(as_completed, an_empty_range_has_no_iterations) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<int>> none;
    auto range = aio::as_completed(none, 1s);
    EXPECT_EQ(range.size(), 0U);
    EXPECT_TRUE(range.begin() == range.end());
    EXPECT_EQ(aio::get_running_loop().pending_timers(), 0U);
    co_return;
  }());
}

TEST(as_completed, more_awaits_than_awaitables_is_an_invalid_state) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<std::string>> coros;
    coros.push_back(work("x", 1ms));
    auto range = aio::as_completed(std::move(coros));
    auto next = *range.begin();
    EXPECT_EQ(co_await next, "x");
    EXPECT_THROW(co_await next, aio::invalid_state_error);
  }());
}

// The child finishes and is handed to the parked awaiter; in the same iteration, before the awaiter
// runs, the awaiter is cancelled. It must give the child back so the next await gets it.
TEST(as_completed, a_cancelled_awaiter_gives_its_result_back) {
  aio_test::run([]() -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    const auto when = loop.time() + 10ms;
    auto child = aio::create_task([](aio::clock::time_point when) -> aio::coro<std::string> {
      co_await aio::sleep_until(when);
      co_return "precious";
    }(when));
    std::vector<aio::task<std::string>> tasks{child};
    auto range = aio::as_completed(tasks);
    auto waiter = aio::create_task(
        [](decltype(range)* r) -> aio::coro<std::string> { co_return co_await *r->begin(); }(&range));
    co_await aio::sleep(1ms);  // the waiter is parked
    auto canceller =
        aio::create_task([](aio::clock::time_point when, aio::task<std::string> w) -> aio::coro<> {
          co_await aio::sleep_until(when);  // woken right after the child, runs before the waiter
          w.cancel();
        }(when, waiter));
    EXPECT_THROW(co_await waiter, aio::cancelled_error);
    co_await canceller;
    EXPECT_TRUE(child.done());
    EXPECT_EQ(co_await *range.begin(), "precious");
  }());
}

TEST(as_completed, a_cancelled_parked_awaiter_loses_nothing) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<std::string>> coros;
    coros.push_back(work("only", 20ms));
    auto range = aio::as_completed(std::move(coros));
    auto waiter =
        aio::create_task([](decltype(range)* r) -> aio::coro<> { (void)co_await *r->begin(); }(&range));
    co_await aio::sleep(5ms);
    waiter.cancel();
    EXPECT_THROW(co_await waiter, aio::cancelled_error);
    EXPECT_EQ(co_await *range.begin(), "only");
  }());
}

TEST(as_completed, several_awaiters_are_served_first_come_first_served) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<std::string>> coros;
    coros.push_back(work("second", 20ms));
    coros.push_back(work("first", 10ms));
    auto range = aio::as_completed(std::move(coros));
    auto take = [](decltype(range)* r) -> aio::coro<std::string> { co_return co_await *r->begin(); };
    auto a = aio::create_task(take(&range));
    co_await aio::sleep(0s);
    auto b = aio::create_task(take(&range));
    EXPECT_EQ(co_await a, "first");
    EXPECT_EQ(co_await b, "second");
  }());
}

TEST(as_completed, breaking_out_leaves_the_rest_running) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<std::string>> tasks{aio::create_task(work("a", 1ms)),
                                              aio::create_task(work("b", 5ms))};
    for (auto next : aio::as_completed(tasks)) {
      EXPECT_EQ(co_await next, "a");
      break;
    }
    EXPECT_FALSE(tasks[1].done());
    CO_ASSERT(!tasks[1].cancelled());
    EXPECT_EQ(co_await tasks[1], "b");
  }());
}

}  // namespace
