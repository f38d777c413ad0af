// aio::shield, against CPython 3.13's shield(): the awaiter can be cancelled, the inner work cannot
// (by it); the inner's own cancellation or failure still reaches the awaiter.
#include "aio/combinators/shield.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "aio/sync/event.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using log_t = std::vector<std::string>;

aio::coro<int> work(std::chrono::milliseconds d, int v, log_t* log = nullptr) {
  if (log != nullptr) log->push_back("start");
  co_await aio::sleep(d);
  if (log != nullptr) log->push_back("end");
  co_return v;
}

aio::coro<int> fail_after(std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  throw std::runtime_error("inner failed");
}

TEST(shield, passes_the_result_through) {
  aio_test::run([]() -> aio::coro<> {
    EXPECT_EQ(co_await aio::shield(work(1ms, 1)), 1);
    auto t = aio::create_task(work(1ms, 2));
    EXPECT_EQ(co_await aio::shield(t), 2);
    aio::future<std::string> f;
    aio::get_running_loop().call_later(1ms, [f]() mutable { f.set_result("fut"); });
    EXPECT_EQ(co_await aio::shield(f), "fut");
    auto slept = co_await aio::shield(aio::sleep(1ms));
    static_assert(std::is_same_v<decltype(slept), std::monostate>);
  }());
}

TEST(shield, is_eager) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto s = aio::shield(work(1ms, 1, log));
    co_await aio::sleep(0s);
    EXPECT_EQ(*log, (log_t{"start"}));
    EXPECT_EQ(co_await std::move(s), 1);
  }(&log));
}

TEST(shield, cancelling_the_awaiter_leaves_the_inner_task_running) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto inner = aio::create_task(work(50ms, 7, log));
    auto outer = aio::create_task(
        [](aio::task<int> inner) -> aio::coro<int> { co_return co_await aio::shield(inner); }(inner));
    co_await aio::sleep(10ms);
    const auto start = aio::get_running_loop().time();
    outer.cancel("go away");
    try {
      co_await outer;
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "go away");
    }
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.0);  // delivered at once
    EXPECT_FALSE(inner.done());
    EXPECT_EQ(inner.cancelling(), 0);
    EXPECT_EQ(co_await inner, 7);
  }(&log));
  EXPECT_EQ(log, (log_t{"start", "end"}));
}

TEST(shield, the_inner_cancelled_by_other_means_cancels_the_awaiter) {
  aio_test::run([]() -> aio::coro<> {
    auto inner = aio::create_task(work(1h, 1));
    aio::get_running_loop().call_later(5ms, [inner]() mutable { inner.cancel("inner stop"); });
    try {
      co_await aio::shield(inner);
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "inner stop");
    }
    EXPECT_EQ(aio::current_task().cancelling(), 0);
  }());
}

TEST(shield, the_inner_failure_is_rethrown) {
  aio_test::run(
      []() -> aio::coro<> { EXPECT_THROW(co_await aio::shield(fail_after(1ms)), std::runtime_error); }());
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(shield, after_the_awaiter_is_cancelled_an_inner_failure_is_not_reported) {
  aio_test::run([]() -> aio::coro<> {
    auto outer = aio::create_task([]() -> aio::coro<> { co_await aio::shield(fail_after(10ms)); }());
    co_await aio::sleep(1ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    co_await aio::sleep(20ms);  // the inner failed meanwhile; asyncio marks it retrieved
  }());
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(shield, a_done_inner_completes_without_suspension) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(work(0ms, 3));
    co_await t;
    aio::current_task().cancel();  // pending: would be delivered at a suspension point
    EXPECT_EQ(co_await aio::shield(t), 3);
    EXPECT_EQ(aio::current_task().uncancel(), 0);
  }());
}

TEST(shield, a_pending_cancel_is_delivered_at_once_and_the_inner_runs_on) {
  aio_test::run([]() -> aio::coro<> {
    auto inner = aio::create_task(work(5ms, 4));
    aio::current_task().cancel();
    EXPECT_THROW(co_await aio::shield(inner), aio::cancelled_error);
    EXPECT_EQ(co_await inner, 4);
  }());
}

// event::wait() cannot move: the shield borrows it from the caller's frame, so the caller's
// cancellation waits until the inner wait is over (its frame must outlive the borrowed awaiter).
TEST(shield, a_borrowed_awaiter_delays_the_cancellation_until_it_is_done) {
  aio_test::run([]() -> aio::coro<> {
    aio::event ev;
    auto outer =
        aio::create_task([](aio::event* ev) -> aio::coro<> { co_await aio::shield(ev->wait()); }(&ev));
    co_await aio::sleep(1ms);
    outer.cancel();
    co_await aio::sleep(10ms);
    EXPECT_FALSE(outer.done());  // still inside the shielded wait
    ev.set();
    EXPECT_THROW(co_await outer, aio::cancelled_error);
  }());
}

}  // namespace
