// Cancellation as in CPython 3.13: requested by cancel(msg), delivered at the current or next
// suspension point, counted by cancelling()/uncancel(), catchable.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<int> sleepy(std::vector<std::string>* log, std::chrono::seconds d) {
  log->push_back("start");
  co_await aio::sleep(d);
  log->push_back("end");
  co_return 1;
}

TEST(cancellation, before_the_first_step_the_body_never_runs) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    auto t = aio::create_task(sleepy(log, 1s));
    EXPECT_TRUE(t.cancel());
    EXPECT_EQ(t.cancelling(), 1);
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_TRUE(t.cancelled());
  }(&log));
  EXPECT_TRUE(log.empty());
}

TEST(cancellation, while_sleeping_it_is_delivered_at_the_sleep_with_the_message) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    auto t = aio::create_task(sleepy(log, 3600s));
    co_await aio::sleep(1s);
    EXPECT_TRUE(t.cancel("enough"));
    const auto start = aio::get_running_loop().time();
    try {
      co_await t;
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "enough");
    }
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.0);  // the hour-long timer was withdrawn
  }(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"start"}));
}

TEST(cancellation, cancel_on_a_done_task_returns_false) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<std::string> log;
    auto t = aio::create_task(sleepy(&log, 0s));
    co_await t;
    EXPECT_FALSE(t.cancel());
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 0);
  }());
}

TEST(cancellation, a_task_may_catch_it_and_return_normally) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<std::string> {
      try {
        co_await aio::sleep(10s);
      } catch (const aio::cancelled_error&) {
        co_return "caught";
      }
      co_return "slept";
    }());
    co_await aio::sleep(0s);
    t.cancel();
    EXPECT_EQ(co_await t, "caught");
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 1);  // the request count stays until uncancel()
  }());
}

TEST(cancellation, is_not_caught_by_catch_std_exception) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<bool> {
      try {
        co_await aio::sleep(10s);
      } catch (const std::exception&) {
        co_return false;  // must not get here
      }
      co_return true;
    }());
    co_await aio::sleep(0s);
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
  }());
}

TEST(cancellation, requested_while_queued_is_delivered_at_that_suspension_point) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<std::string> log;
    // The canceller's timer is armed first, so for the same deadline it fires first: when it runs,
    // u has been woken by its own timer (its sleep completed) but has not taken its step yet.
    aio::task<int> u;
    auto canceller = aio::create_task([](aio::task<int>* u) -> aio::coro<> {
      co_await aio::sleep(2s);
      EXPECT_FALSE(u->done());
      EXPECT_TRUE(u->cancel());
    }(&u));
    co_await aio::sleep(0s);  // the canceller arms its timer
    u = aio::create_task(sleepy(&log, 2s));
    EXPECT_THROW(co_await u, aio::cancelled_error);
    EXPECT_EQ(log, (std::vector<std::string>{"start"}));  // thrown at the sleep: "end" never logged
    co_await canceller;
  }());
}

TEST(cancellation, a_task_cancelling_itself_is_cancelled_at_its_next_suspension) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<int> {
      aio::current_task().cancel();
      int reached = 1;  // still running: a request is not an interruption
      co_await aio::sleep(0s);
      co_return reached + 1;
    }());
    EXPECT_THROW(co_await t, aio::cancelled_error);
  }());
}

TEST(cancellation, a_task_cancelling_itself_then_returning_ends_cancelled) {
  // CPython test_cancel_at_end: the request no suspension point took still ends the task cancelled.
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<std::string> {
      aio::current_task().cancel("at the end");
      co_return std::string(100, 'x');  // a value with a heap buffer: dropped, not leaked
    }());
    EXPECT_FALSE(t.cancelled());
    bool cancelled = false;
    try {
      (void)co_await t;
    } catch (const aio::cancelled_error& e) {
      cancelled = true;
      EXPECT_STREQ(e.what(), "at the end");
    }
    EXPECT_TRUE(cancelled);
    EXPECT_TRUE(t.done());
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 1);
    EXPECT_FALSE(t.cancel());
  }());
}

TEST(cancellation, a_void_task_cancelling_itself_then_returning_ends_cancelled) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<> {
      aio::current_task().cancel();
      co_return;
    }());
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_TRUE(t.cancelled());
  }());
}

TEST(cancellation, a_self_cancel_taken_back_by_uncancel_lets_the_value_through) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<int> {
      auto me = aio::current_task();
      me.cancel();
      me.uncancel();
      co_return 12;
    }());
    EXPECT_EQ(co_await t, 12);
    EXPECT_FALSE(t.cancelled());
  }());
}

TEST(cancellation, a_self_cancelling_task_that_fails_keeps_its_failure) {
  // asyncio's __step: an exception other than CancelledError is the task's outcome even with a
  // cancel request pending.
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<int> {
      aio::current_task().cancel();
      throw std::invalid_argument("failed");
      co_return 0;
    }());
    EXPECT_THROW(co_await t, std::invalid_argument);
    EXPECT_FALSE(t.cancelled());
  }());
}

TEST(cancellation, uncancel_to_zero_drops_a_pending_request) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<int> {
      auto me = aio::current_task();
      me.cancel();
      me.cancel();
      EXPECT_EQ(me.cancelling(), 2);
      EXPECT_EQ(me.uncancel(), 1);
      EXPECT_EQ(me.uncancel(), 0);
      co_await aio::sleep(0s);  // no longer cancelled here
      co_return 7;
    }());
    EXPECT_EQ(co_await t, 7);
  }());
}

TEST(cancellation, cancelling_an_awaiter_cancels_the_awaited_task) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    auto inner = aio::create_task(sleepy(log, 100s));
    auto outer =
        aio::create_task([](aio::task<int> inner) -> aio::coro<int> { co_return co_await inner; }(inner));
    co_await aio::sleep(1s);
    outer.cancel("from outer");
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    EXPECT_TRUE(inner.cancelled());
    EXPECT_TRUE(outer.cancelled());
  }(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"start"}));
}

TEST(cancellation, if_the_awaited_task_swallows_it_the_awaiter_gets_its_result) {
  aio_test::run([]() -> aio::coro<> {
    auto inner = aio::create_task([]() -> aio::coro<int> {
      try {
        co_await aio::sleep(100s);
      } catch (const aio::cancelled_error&) {
      }
      co_return 5;
    }());
    auto outer =
        aio::create_task([](aio::task<int> inner) -> aio::coro<int> { co_return co_await inner; }(inner));
    co_await aio::sleep(1s);
    EXPECT_TRUE(outer.cancel());
    EXPECT_EQ(co_await outer, 5);
    EXPECT_FALSE(outer.cancelled());
  }());
}

TEST(cancellation, uncancel_after_the_wait_was_withdrawn_still_delivers_it) {
  // As CPython: cancel() cancelled the sleep's future, so the sleep raises even if the request is
  // taken back before the task runs.
  aio_test::run([]() -> aio::coro<> {
    std::vector<std::string> log;
    auto t = aio::create_task(sleepy(&log, 100s));
    co_await aio::sleep(0s);
    t.cancel();
    EXPECT_EQ(t.uncancel(), 0);
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_EQ(log, (std::vector<std::string>{"start"}));
  }());
}

TEST(cancellation, a_pending_request_is_handed_to_the_task_about_to_be_awaited) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    auto child = aio::create_task(sleepy(log, 3600s));
    auto outer = aio::create_task([](aio::task<int> c) -> aio::coro<int> {
      aio::current_task().cancel();
      co_return co_await c;  // the pending cancel goes to c, as asyncio does
    }(child));
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    EXPECT_TRUE(child.cancelled());
  }(&log));
}

TEST(cancellation, repeated_requests_are_counted) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<std::string> log;
    auto t = aio::create_task(sleepy(&log, 10s));
    co_await aio::sleep(0s);
    EXPECT_TRUE(t.cancel());
    EXPECT_TRUE(t.cancel());
    EXPECT_EQ(t.cancelling(), 2);
    EXPECT_THROW(co_await t, aio::cancelled_error);
  }());
}

}  // namespace
