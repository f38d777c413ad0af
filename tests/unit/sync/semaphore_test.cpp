#include "aio/sync/semaphore.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sync_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sync_test::turn;

namespace {

using log_t = std::vector<std::string>;

/// Acquires a permit and records `id`; keeps the permit.
aio::coro<> taker(aio::semaphore& s, log_t& log, std::string id) {
  co_await s.acquire();
  log.push_back(id);
}

aio::coro<> set_flag(bool& flag) {
  flag = true;
  co_return;
}

TEST(semaphore, negative_initial_value_throws) {
  EXPECT_THROW(aio::semaphore(-1), std::invalid_argument);
  EXPECT_THROW(aio::bounded_semaphore(-1), std::invalid_argument);
  EXPECT_NO_THROW(aio::semaphore(0));
}

TEST(semaphore, initial_value_zero_is_locked) {
  aio::semaphore s(0);
  EXPECT_TRUE(s.locked());
  EXPECT_EQ(s.value(), 0);
  aio::semaphore one;
  EXPECT_FALSE(one.locked());
  EXPECT_EQ(one.value(), 1);
}

TEST(semaphore, acquire_with_permits_does_not_yield) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(2);
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    co_await s.acquire();
    co_await s.acquire();
    EXPECT_FALSE(other_ran);
    EXPECT_TRUE(s.locked());
    EXPECT_EQ(s.value(), 0);
    s.release();
    EXPECT_FALSE(s.locked());
    s.release();
    EXPECT_EQ(s.value(), 2);
    co_await t;
  }());
}

// CPython test_acquire.
TEST(semaphore, waiters_take_released_permits_in_order) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(3);
    log_t log;
    co_await s.acquire();
    co_await s.acquire();
    EXPECT_FALSE(s.locked());
    auto t1 = aio::create_task(taker(s, log, "1"));
    auto t2 = aio::create_task(taker(s, log, "2"));
    auto t3 = aio::create_task(taker(s, log, "3"));
    co_await turn();
    EXPECT_EQ(log, (log_t{"1"}));
    EXPECT_TRUE(s.locked());
    EXPECT_EQ(s.value(), 0);

    auto t4 = aio::create_task(taker(s, log, "4"));
    s.release();
    s.release();
    EXPECT_EQ(s.value(), 0);  // both permits reserved for t2 and t3
    co_await turn();
    EXPECT_EQ(log, (log_t{"1", "2", "3"}));
    EXPECT_TRUE(s.locked());
    EXPECT_FALSE(t4.done());
    s.release();
    co_await t4;
    EXPECT_EQ(log, (log_t{"1", "2", "3", "4"}));
    EXPECT_TRUE(t1.done() && t2.done() && t3.done());
  }());
}

// CPython test_acquire_fifo_order: tasks alternate in the order they first queued.
TEST(semaphore, fifo_order_across_repeated_acquires) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(1);
    log_t log;
    auto worker = [](aio::semaphore& sem, log_t& lg, std::string tag) -> aio::coro<> {
      for (int round = 1; round <= 2; ++round) {
        co_await sem.acquire();
        lg.push_back(tag + "_" + std::to_string(round));
        co_await aio::sleep(10ms);
        sem.release();
      }
    };
    auto c1 = aio::create_task(worker(s, log, "c1"));
    auto c2 = aio::create_task(worker(s, log, "c2"));
    auto c3 = aio::create_task(worker(s, log, "c3"));
    co_await c1;
    co_await c2;
    co_await c3;
    EXPECT_EQ(log, (log_t{"c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"}));
  }());
}

// CPython test_acquire_fifo_order_2: a releaser that re-acquires queues behind the waiters.
TEST(semaphore, release_and_reacquire_queues_behind_waiters) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(1);
    log_t log;
    auto c2 = [](aio::semaphore& sem, log_t& lg) -> aio::coro<> {
      co_await sem.acquire();
      lg.push_back("2");
      sem.release();
      co_await sem.acquire();
      lg.push_back("4");
    };
    auto t1 = aio::create_task(taker(s, log, "1"));
    auto t2 = aio::create_task(c2(s, log));
    auto t3 = aio::create_task(taker(s, log, "3"));
    co_await turn();
    s.release();
    s.release();
    co_await t1;
    co_await t2;
    co_await t3;
    EXPECT_EQ(log, (log_t{"1", "2", "3", "4"}));
  }());
}

// CPython test_acquire_fifo_order_3.
TEST(semaphore, cancelled_waiter_is_skipped) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    auto t1 = aio::create_task(taker(s, log, "1"));
    auto t2 = aio::create_task(taker(s, log, "2"));
    auto t3 = aio::create_task(taker(s, log, "3"));
    co_await turn();
    t1.cancel();
    co_await turn();
    s.release();
    s.release();
    co_await t2;
    co_await t3;
    EXPECT_TRUE(t1.cancelled());
    EXPECT_EQ(log, (log_t{"2", "3"}));
  }());
}

// CPython test_acquire_fifo_order_4: a woken waiter wakes those that had to queue behind it.
TEST(semaphore, woken_waiter_wakes_the_waiters_queued_behind_it) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    aio::task<> t4;
    auto c1 = [](aio::semaphore& sem, log_t& lg, aio::task<>& fourth) -> aio::coro<> {
      EXPECT_EQ(sem.value(), 0);
      co_await sem.acquire();
      EXPECT_EQ(sem.value(), 0);  // the two queued behind it were woken
      auto c4 = [](log_t& l) -> aio::coro<> {
        l.push_back("4");
        co_return;
      };
      fourth = aio::create_task(c4(lg));  // runs after c3, not c2
      lg.push_back("1");
    };
    auto c2 = [](aio::semaphore& sem, log_t& lg) -> aio::coro<> {
      sem.release();
      sem.release();
      sem.release();
      EXPECT_EQ(sem.value(), 2);
      EXPECT_TRUE(sem.locked());  // c1 has not run: FIFO says wait
      co_await sem.acquire();
      lg.push_back("2");
    };
    auto c3 = [](aio::semaphore& sem, log_t& lg) -> aio::coro<> {
      co_await sem.acquire();
      EXPECT_TRUE(sem.locked());
      lg.push_back("3");
    };
    auto t1 = aio::create_task(c1(s, log, t4));
    auto t2 = aio::create_task(c2(s, log));
    auto t3 = aio::create_task(c3(s, log));
    co_await turn();
    EXPECT_EQ(s.value(), 2);
    co_await turn();
    co_await t1;
    co_await t2;
    co_await t3;
    co_await t4;
    EXPECT_EQ(log, (log_t{"1", "2", "3", "4"}));
  }());
}

// CPython test_acquire_cancel_before_awoken.
TEST(semaphore, cancel_before_awoken_loses_no_permit) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    auto t1 = aio::create_task(taker(s, log, "1"));
    auto t2 = aio::create_task(taker(s, log, "2"));
    auto t3 = aio::create_task(taker(s, log, "3"));
    auto t4 = aio::create_task(taker(s, log, "4"));
    co_await turn();
    t1.cancel();
    t2.cancel();
    s.release();
    co_await turn();
    co_await turn();
    EXPECT_TRUE(t1.cancelled() && t2.cancelled());
    EXPECT_TRUE(t3.done());
    EXPECT_FALSE(t4.done());
    t4.cancel();
    co_await turn();
    EXPECT_TRUE(t4.cancelled());
    EXPECT_EQ(log, (log_t{"3"}));
  }());
}

// CPython test_acquire_hang.
TEST(semaphore, cancelled_head_does_not_hang_the_next_waiter) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    auto t1 = aio::create_task(taker(s, log, "1"));
    auto t2 = aio::create_task(taker(s, log, "2"));
    co_await turn();
    t1.cancel();
    s.release();
    co_await turn();
    co_await turn();
    EXPECT_TRUE(s.locked());
    EXPECT_TRUE(t2.done());
    EXPECT_EQ(log, (log_t{"2"}));
  }());
}

// The 3.11.1/3.12 wake-up loss: a waiter cancelled after its permit was reserved gives it back.
TEST(semaphore, cancel_after_grant_passes_the_permit_on) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    auto a = aio::create_task(taker(s, log, "a"));
    auto b = aio::create_task(taker(s, log, "b"));
    co_await turn();
    s.release();  // reserved for a
    EXPECT_EQ(s.value(), 0);
    a.cancel();
    co_await turn();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(b.done());
    EXPECT_EQ(log, (log_t{"b"}));
    EXPECT_EQ(s.value(), 0);
  }());
}

TEST(semaphore, cancel_after_grant_with_no_other_waiter_restores_the_value) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    auto a = aio::create_task(taker(s, log, "a"));
    co_await turn();
    s.release();
    a.cancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_EQ(s.value(), 1);
    EXPECT_FALSE(s.locked());
  }());
}

// CPython test_acquire_no_hang.
TEST(semaphore, cancelled_contender_does_not_hang_the_semaphore) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(1);
    aio::task<> t2;
    auto c1 = [](aio::semaphore& sem, aio::task<>& other) -> aio::coro<> {
      co_await sem.acquire();
      co_await aio::sleep(0s);
      other.cancel();
      sem.release();
    };
    auto c2 = [](aio::semaphore& sem) -> aio::coro<> {
      co_await sem.acquire();
      ADD_FAILURE() << "c2 should have been cancelled while waiting";
      sem.release();
    };
    auto t1 = aio::create_task(c1(s, t2));
    t2 = aio::create_task(c2(s));
    co_await t1;
    co_await turn();
    EXPECT_TRUE(t2.cancelled());
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    co_await s.acquire();
    EXPECT_FALSE(other_ran);  // free again, taken without waiting
    s.release();
    co_await t;
  }());
}

// A task that never waited may not take a permit reserved for, or queued behind, a woken waiter.
TEST(semaphore, no_queue_jumping_while_waiters_are_woken) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    auto a = aio::create_task(taker(s, log, "a"));
    co_await turn();
    s.release();
    s.release();  // one for a (reserved), one free: but a has not run
    EXPECT_EQ(s.value(), 1);
    EXPECT_TRUE(s.locked());
    co_await s.acquire();
    log.push_back("main");
    EXPECT_EQ(log, (log_t{"a", "main"}));
    co_await a;
  }());
}

TEST(semaphore, timeout_by_cancel_from_another_task) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    const auto start = aio::get_running_loop().time();
    auto a = aio::create_task(taker(s, log, "a"));
    auto timer = aio::create_task(sync_test::cancel_after(a, 1500ms));
    const bool cancelled = co_await aio_test::was_cancelled(a);
    EXPECT_TRUE(cancelled) << "the waiter should have been cancelled";
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 1.5);
    co_await timer;
    s.release();
    EXPECT_EQ(s.value(), 1);
    EXPECT_TRUE(log.empty());
  }());
}

TEST(semaphore, uncancel_after_withdrawal_still_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    log_t log;
    auto a = aio::create_task(taker(s, log, "a"));
    co_await turn();
    a.cancel();
    a.uncancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    s.release();
    EXPECT_EQ(s.value(), 1);
    EXPECT_TRUE(log.empty());
  }());
}

TEST(semaphore, pending_cancel_is_delivered_before_queuing) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    auto self_cancel = [](aio::semaphore& sem) -> aio::coro<> {
      aio::current_task().cancel();
      co_await sem.acquire();
      ADD_FAILURE() << "acquired an empty semaphore";
    };
    auto t = aio::create_task(self_cancel(s));
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    s.release();
    EXPECT_EQ(s.value(), 1);  // nobody was queued to take it
  }());
}

TEST(bounded_semaphore, release_above_the_initial_value_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::bounded_semaphore s(2);
    EXPECT_THROW(s.release(), std::invalid_argument);
    co_await s.acquire();
    s.release();
    EXPECT_THROW(s.release(), std::invalid_argument);
    EXPECT_EQ(s.value(), 2);
    aio::semaphore& base = s;  // checked through the base too
    EXPECT_THROW(base.release(), std::invalid_argument);
    co_await s.acquire();
    co_await s.acquire();
    EXPECT_TRUE(s.locked());
    base.release();
    s.release();
    EXPECT_THROW(s.release(), std::invalid_argument);
  }());
}

TEST(bounded_semaphore, default_is_one_permit) {
  aio::bounded_semaphore s;
  EXPECT_EQ(s.value(), 1);
  EXPECT_THROW(s.release(), std::invalid_argument);
}

TEST(semaphore, unbounded_release_goes_above_the_initial_value) {
  aio::semaphore s(1);
  s.release();
  s.release();
  EXPECT_EQ(s.value(), 3);
}

TEST(semaphore, acquire_outside_a_task_throws) {
  aio::semaphore s(0);
  auto w = sync_test::await_outside([&] { return s.acquire(); });
  EXPECT_THROW(w.rethrow(), std::runtime_error);
}

TEST(semaphore, wait_for_timeout_on_acquire_keeps_the_count) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(0);
    bool timed_out = false;
    try {
      co_await aio::wait_for(s.acquire(), 2s);
    } catch (const aio::timeout_error&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_EQ(s.value(), 0);
    s.release();
    EXPECT_EQ(s.value(), 1);
    EXPECT_FALSE(s.locked());
  }());
}

}  // namespace
