#include "aio/sync/lock.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sync_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sync_test::turn;

namespace {

/// Acquires `lk`, records `id`, optionally holds it for `hold`, releases unless `keep`.
aio::coro<> locker(aio::lock& lk, std::vector<std::string>& log, std::string id,
                   aio::clock::duration hold = {}, bool keep = false) {
  co_await lk.acquire();
  log.push_back(id);
  if (hold.count() > 0) co_await aio::sleep(hold);
  if (!keep) lk.release();
}

aio::coro<> set_flag(bool& flag) {
  flag = true;
  co_return;
}

TEST(lock, starts_unlocked_and_acquire_release_toggle) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    EXPECT_FALSE(lk.locked());
    co_await lk.acquire();
    EXPECT_TRUE(lk.locked());
    lk.release();
    EXPECT_FALSE(lk.locked());
  }());
}

TEST(lock, free_lock_is_taken_without_yielding) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    co_await lk.acquire();  // no suspension: the other task has not had a turn
    EXPECT_FALSE(other_ran);
    lk.release();
    co_await t;
    EXPECT_TRUE(other_ran);
  }());
}

TEST(lock, release_of_unlocked_lock_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    EXPECT_THROW(lk.release(), std::runtime_error);
    co_await lk.acquire();
    lk.release();
    EXPECT_THROW(lk.release(), std::runtime_error);
    EXPECT_FALSE(lk.locked());
    co_return;
  }());
}

TEST(lock, not_reentrant) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    // The same task acquiring again waits like anyone else: a second task releases it.
    auto releaser = [](aio::lock& l, std::vector<std::string>& lg) -> aio::coro<> {
      co_await aio::sleep(1s);
      lg.push_back("release");
      l.release();
    };
    auto t = aio::create_task(releaser(lk, log));
    co_await lk.acquire();
    log.push_back("reacquired");
    EXPECT_EQ(log, (std::vector<std::string>{"release", "reacquired"}));
    lk.release();
    co_await t;
  }());
}

// CPython test_acquire: waiters get the lock one release at a time, in FIFO order.
TEST(lock, waiters_acquire_in_fifo_order) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto t1 = aio::create_task(locker(lk, log, "1", {}, true));
    auto t2 = aio::create_task(locker(lk, log, "2", {}, true));
    co_await turn();
    EXPECT_TRUE(log.empty());

    lk.release();
    co_await turn();
    EXPECT_EQ(log, (std::vector<std::string>{"1"}));
    co_await turn();
    EXPECT_EQ(log, (std::vector<std::string>{"1"}));

    auto t3 = aio::create_task(locker(lk, log, "3", {}, true));
    lk.release();
    co_await turn();
    EXPECT_EQ(log, (std::vector<std::string>{"1", "2"}));

    lk.release();
    co_await turn();
    EXPECT_EQ(log, (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_TRUE(t1.done() && t2.done() && t3.done());
    lk.release();
  }());
}

TEST(lock, many_waiters_are_served_first_come_first_served) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    std::vector<aio::task<>> tasks;
    co_await lk.acquire();
    for (int i = 0; i < 50; ++i) tasks.push_back(aio::create_task(locker(lk, log, std::to_string(i), 1ms)));
    co_await turn();
    lk.release();
    for (auto& t : tasks) co_await t;
    std::vector<std::string> want;
    for (int i = 0; i < 50; ++i) want.push_back(std::to_string(i));
    EXPECT_EQ(log, want);
    EXPECT_FALSE(lk.locked());
  }());
}

// 3.13 fairness: a task that never waited cannot take the lock from a woken waiter that has not run.
TEST(lock, no_queue_jumping_while_a_grant_is_in_flight) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto w = aio::create_task(locker(lk, log, "waiter"));
    co_await turn();
    lk.release();
    EXPECT_FALSE(lk.locked());  // as asyncio: free, but promised to the waiter
    co_await lk.acquire();      // must queue behind the waiter
    log.push_back("main");
    EXPECT_EQ(log, (std::vector<std::string>{"waiter", "main"}));
    lk.release();
    co_await w;
  }());
}

TEST(lock, cancel_while_waiting_leaves_the_queue) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto a = aio::create_task(locker(lk, log, "a"));
    auto b = aio::create_task(locker(lk, log, "b"));
    co_await turn();
    EXPECT_TRUE(a.cancel());
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(lk.locked());  // still main's
    lk.release();
    co_await b;
    EXPECT_EQ(log, (std::vector<std::string>{"b"}));
    EXPECT_FALSE(lk.locked());
  }());
}

// CPython test_acquire_cancel: a lone cancelled waiter leaves nothing behind.
TEST(lock, cancelled_lone_waiter_leaves_lock_usable) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto a = aio::create_task(locker(lk, log, "a"));
    co_await turn();
    a.cancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    lk.release();
    EXPECT_FALSE(lk.locked());
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    co_await lk.acquire();  // fast path again: nobody queued
    EXPECT_FALSE(other_ran);
    lk.release();
    co_await t;
  }());
}

// CPython test_finished_waiter_cancelled / test_cancel_release_race: the grant is passed on.
TEST(lock, cancel_after_grant_passes_the_lock_to_the_next_waiter) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto a = aio::create_task(locker(lk, log, "a", {}, true));
    auto b = aio::create_task(locker(lk, log, "b", {}, true));
    auto c = aio::create_task(locker(lk, log, "c", {}, true));
    co_await turn();
    lk.release();  // granted to a
    a.cancel();    // ... which has not run yet
    co_await turn();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_EQ(log, (std::vector<std::string>{"b"}));  // exactly one task took it
    EXPECT_TRUE(lk.locked());
    EXPECT_FALSE(c.done());
    lk.release();
    co_await c;
    EXPECT_EQ(log, (std::vector<std::string>{"b", "c"}));
    lk.release();
  }());
}

TEST(lock, cancel_after_grant_with_no_other_waiter_frees_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto a = aio::create_task(locker(lk, log, "a", {}, true));
    co_await turn();
    lk.release();
    a.cancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_FALSE(lk.locked());
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    co_await lk.acquire();  // nothing in flight any more: fast path
    EXPECT_FALSE(other_ran);
    lk.release();
    co_await t;
  }());
}

// CPython test_cancel_race: B cancelled while A releases; C must get the lock.
TEST(lock, cancel_race_between_release_and_cancel) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    aio::future<> fa;
    auto holder = [](aio::lock& l, aio::future<> f) -> aio::coro<> {
      co_await l.acquire();
      co_await f;
      l.release();
    };
    auto ta = aio::create_task(holder(lk, fa));
    co_await turn();
    EXPECT_TRUE(lk.locked());
    auto tb = aio::create_task(locker(lk, log, "b"));
    co_await turn();
    auto tc = aio::create_task(locker(lk, log, "c"));
    co_await turn();
    fa.set_result();
    tb.cancel();
    co_await turn();
    co_await turn();
    EXPECT_TRUE(ta.done());
    EXPECT_TRUE(tb.cancelled());
    co_await tc;
    EXPECT_EQ(log, (std::vector<std::string>{"c"}));
    EXPECT_FALSE(lk.locked());
  }());
}

// A timeout implemented as a cancel from another task.
TEST(lock, timeout_by_cancel_from_another_task) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    const auto start = aio::get_running_loop().time();
    co_await lk.acquire();
    auto a = aio::create_task(locker(lk, log, "a"));
    auto timer = aio::create_task(sync_test::cancel_after(a, 2s));
    const bool cancelled = co_await aio_test::was_cancelled(a);
    EXPECT_TRUE(cancelled) << "the waiter should have been cancelled";
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 2.0);
    EXPECT_TRUE(lk.locked());
    lk.release();
    EXPECT_FALSE(lk.locked());
    co_await timer;
    EXPECT_TRUE(log.empty());
  }());
}

// A cancel request pending when acquire() must wait is delivered at once, without queuing.
TEST(lock, pending_cancel_is_delivered_before_queuing) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    co_await lk.acquire();
    auto self_cancel = [](aio::lock& l) -> aio::coro<> {
      aio::current_task().cancel();
      co_await l.acquire();
      ADD_FAILURE() << "acquired a held lock";
    };
    auto t = aio::create_task(self_cancel(lk));
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    lk.release();
    EXPECT_FALSE(lk.locked());  // nobody was left queued to hand it to
  }());
}

// ... but a free lock is taken without a suspension point, so the cancel waits for the next one.
TEST(lock, pending_cancel_does_not_stop_the_fast_path) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    bool acquired = false;
    auto self_cancel = [](aio::lock& l, bool& got) -> aio::coro<> {
      aio::current_task().cancel();
      co_await l.acquire();
      got = true;
      try {
        co_await aio::sleep(0s);
      } catch (const aio::cancelled_error&) {
        l.release();
        throw;
      }
    };
    auto t = aio::create_task(self_cancel(lk, acquired));
    co_await turn();
    co_await turn();
    EXPECT_TRUE(acquired);
    EXPECT_TRUE(t.cancelled());
    EXPECT_FALSE(lk.locked());
  }());
}

// uncancel() after the waiter was withdrawn cannot bring it back without the lock: it still throws.
TEST(lock, uncancel_after_withdrawal_still_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto a = aio::create_task(locker(lk, log, "a"));
    co_await turn();
    a.cancel();
    a.uncancel();
    co_await turn();
    EXPECT_TRUE(a.done());
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(log.empty());
    lk.release();
  }());
}

// uncancel() after a grant: the request is gone before the task ran, so it takes the lock.
TEST(lock, uncancel_after_grant_keeps_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto a = aio::create_task(locker(lk, log, "a", {}, true));
    co_await turn();
    lk.release();
    a.cancel();
    a.uncancel();
    co_await a;
    EXPECT_EQ(log, (std::vector<std::string>{"a"}));
    EXPECT_TRUE(lk.locked());
    lk.release();
  }());
}

TEST(lock, acquire_outside_a_task_throws) {
  aio::lock lk;
  auto first = sync_test::await_outside([&] { return lk.acquire(); });  // free: no task needed
  EXPECT_TRUE(first.done());
  EXPECT_NO_THROW(first.rethrow());
  EXPECT_TRUE(lk.locked());
  auto second = sync_test::await_outside([&] { return lk.acquire(); });
  EXPECT_TRUE(second.done());
  EXPECT_THROW(second.rethrow(), std::runtime_error);
  lk.release();
  EXPECT_FALSE(lk.locked());
}

// The combinators take the awaiter: a timeout on acquire() (CPython: wait_for(lock.acquire(), t)).
TEST(lock, wait_for_timeout_on_acquire_leaves_nothing_queued) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    co_await lk.acquire();
    const auto start = aio::get_running_loop().time();
    bool timed_out = false;
    try {
      co_await aio::wait_for(lk.acquire(), 1s);
    } catch (const aio::timeout_error&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 1.0);
    lk.release();
    EXPECT_FALSE(lk.locked());  // nobody left queued to hand it to
    co_await aio::wait_for(lk.acquire(), 1s);
    EXPECT_TRUE(lk.locked());
    lk.release();
  }());
}

// A loop closed with tasks still parked destroys their frames: the awaiters unlink themselves, so the
// lock (which outlives the loop) holds no dangling waiter.
TEST(lock, waiter_destroyed_with_its_frame_at_loop_close_unlinks_itself) {
  aio::lock lk;
  aio::event never;
  std::vector<std::string> reports;
  {
    aio::event_loop loop;
    loop.set_exception_handler(
        [&](aio::event_loop&, const aio::exception_context& c) { reports.push_back(c.message); });
    bool parked = false;
    auto holder = [](aio::lock& l, aio::event& e) -> aio::coro<> {
      co_await l.acquire();
      co_await e.wait();
    };
    auto waiter = [](aio::lock& l, bool& p) -> aio::coro<> {
      p = true;
      co_await l.acquire();
      ADD_FAILURE() << "acquired a lock that is never released";
    };
    (void)loop.create_task(holder(lk, never));
    (void)loop.create_task(waiter(lk, parked));
    loop.run_until([&] { return parked; });
    loop.close();
  }
  EXPECT_EQ(reports.size(), 2U);  // "Task was destroyed but it is pending", twice
  EXPECT_TRUE(lk.locked());
  lk.release();  // would touch the destroyed waiter if it were still linked
  EXPECT_FALSE(lk.locked());
  never.set();
}

}  // namespace
