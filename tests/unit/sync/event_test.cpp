#include "aio/sync/event.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sync_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sync_test::turn;

namespace {

aio::coro<> waiter(aio::event& ev, std::vector<std::string>& log, std::string id) {
  co_await ev.wait();
  log.push_back(id);
}

aio::coro<> set_flag(bool& flag) {
  flag = true;
  co_return;
}

TEST(event, starts_clear_set_and_clear_toggle) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    EXPECT_FALSE(ev.is_set());
    ev.set();
    EXPECT_TRUE(ev.is_set());
    ev.set();  // idempotent
    EXPECT_TRUE(ev.is_set());
    ev.clear();
    EXPECT_FALSE(ev.is_set());
    co_return;
  }());
}

TEST(event, wait_on_a_set_event_does_not_yield) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    ev.set();
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    co_await ev.wait();
    EXPECT_FALSE(other_ran);
    co_await t;
  }());
}

// CPython test_wait: set() wakes every waiter, in the order they waited, within one turn.
TEST(event, set_wakes_every_waiter_in_order) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    auto t1 = aio::create_task(waiter(ev, log, "1"));
    auto t2 = aio::create_task(waiter(ev, log, "2"));
    co_await turn();
    EXPECT_TRUE(log.empty());
    auto t3 = aio::create_task(waiter(ev, log, "3"));  // not yet waiting: its first step comes first
    ev.set();
    co_await turn();
    EXPECT_EQ(log, (std::vector<std::string>{"3", "1", "2"}));
    EXPECT_TRUE(t1.done() && t2.done() && t3.done());
  }());
}

// CPython test_clear_with_waiters: a woken waiter returns even if the flag was cleared meanwhile.
TEST(event, woken_waiter_returns_even_if_cleared_before_it_ran) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    auto t = aio::create_task(waiter(ev, log, "1"));
    co_await turn();
    ev.set();
    ev.clear();
    EXPECT_FALSE(ev.is_set());
    co_await turn();
    EXPECT_EQ(log, (std::vector<std::string>{"1"}));
    EXPECT_TRUE(t.done());
  }());
}

TEST(event, wait_after_clear_blocks_until_the_next_set) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    ev.set();
    ev.clear();
    auto t = aio::create_task(waiter(ev, log, "1"));
    auto setter = [](aio::event& e) -> aio::coro<> {
      co_await aio::sleep(3s);
      e.set();
    };
    const auto start = aio::get_running_loop().time();
    auto s = aio::create_task(setter(ev));
    co_await t;
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 3.0);
    EXPECT_EQ(log, (std::vector<std::string>{"1"}));
    co_await s;
  }());
}

TEST(event, cancel_while_waiting_leaves_the_others_waiting) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    auto a = aio::create_task(waiter(ev, log, "a"));
    auto b = aio::create_task(waiter(ev, log, "b"));
    co_await turn();
    a.cancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_FALSE(b.done());
    ev.set();
    co_await b;
    EXPECT_EQ(log, (std::vector<std::string>{"b"}));
  }());
}

TEST(event, cancel_after_set_before_running_throws_and_others_pass) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    auto a = aio::create_task(waiter(ev, log, "a"));
    auto b = aio::create_task(waiter(ev, log, "b"));
    co_await turn();
    ev.set();
    a.cancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(b.done() && !b.cancelled());
    EXPECT_EQ(log, (std::vector<std::string>{"b"}));
  }());
}

TEST(event, timeout_by_cancel_from_another_task) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    const auto start = aio::get_running_loop().time();
    auto a = aio::create_task(waiter(ev, log, "a"));
    auto timer = aio::create_task(sync_test::cancel_after(a, 500ms));
    const bool cancelled = co_await aio_test::was_cancelled(a);
    EXPECT_TRUE(cancelled) << "the waiter should have been cancelled";
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.5);
    co_await timer;
    ev.set();  // nobody left to wake
    co_await turn();
    EXPECT_TRUE(log.empty());
  }());
}

TEST(event, pending_cancel_on_an_unset_event_is_delivered_at_once) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    auto self_cancel = [](aio::event& e, std::vector<std::string>& lg) -> aio::coro<> {
      aio::current_task().cancel();
      co_await e.wait();
      lg.push_back("woke");
    };
    auto t = aio::create_task(self_cancel(ev, log));
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    ev.set();
    co_await turn();
    EXPECT_TRUE(log.empty());
  }());
}

TEST(event, uncancel_after_withdrawal_still_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    std::vector<std::string> log;
    auto a = aio::create_task(waiter(ev, log, "a"));
    co_await turn();
    a.cancel();
    a.uncancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(log.empty());
  }());
}

TEST(event, wait_outside_a_task_throws) {
  aio::event ev;
  auto w = sync_test::await_outside([&] { return ev.wait(); });
  EXPECT_THROW(w.rethrow(), std::runtime_error);
  ev.set();
  auto ok = sync_test::await_outside([&] { return ev.wait(); });
  EXPECT_NO_THROW(ok.rethrow());
}

TEST(event, wait_for_timeout_on_wait) {
  sync_test::run([]() -> aio::coro<> {
    aio::event ev;
    bool timed_out = false;
    try {
      co_await aio::wait_for(ev.wait(), 1s);
    } catch (const aio::timeout_error&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    auto setter = [](aio::event& e) -> aio::coro<> {
      co_await aio::sleep(500ms);
      e.set();
    };
    auto s = aio::create_task(setter(ev));
    co_await aio::wait_for(ev.wait(), 1s);
    EXPECT_TRUE(ev.is_set());
    co_await s;
  }());
}

}  // namespace
