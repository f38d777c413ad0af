#include "aio/sync/condition.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "aio/sync/scoped.hpp"
#include "sync_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sync_test::turn;

namespace {

using log_t = std::vector<std::string>;

/// Acquires, waits once, records `id`; releases unless `keep`.
aio::coro<> waiter(aio::condition& cv, log_t& log, std::string id, bool keep) {
  co_await cv.acquire();
  co_await cv.wait();
  log.push_back(id);
  if (!keep) cv.release();
}

/// Waits under a guard (released even when cancelled); records how it ended.
aio::coro<> guarded_waiter(aio::condition& cv, log_t& log, std::string id) {
  auto held = co_await aio::scoped(cv);
  try {
    co_await cv.wait();
  } catch (const aio::cancelled_error&) {
    log.push_back(id + " cancelled, locked=" + (cv.locked() ? "yes" : "no"));
    throw;
  }
  log.push_back(id);
}

TEST(condition, wait_without_the_lock_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    EXPECT_FALSE(cv.locked());
    bool threw = false;
    try {
      co_await cv.wait();
    } catch (const std::runtime_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    EXPECT_FALSE(cv.locked());
  }());
}

TEST(condition, notify_without_the_lock_throws) {
  aio::condition cv;
  EXPECT_THROW(cv.notify(), std::runtime_error);
  EXPECT_THROW(cv.notify(3), std::runtime_error);
  EXPECT_THROW(cv.notify_all(), std::runtime_error);
}

TEST(condition, release_without_the_lock_throws) {
  aio::condition cv;
  EXPECT_THROW(cv.release(), std::runtime_error);
}

// CPython test_wait: notified waiters return one by one, as the lock is handed over.
TEST(condition, notified_waiters_return_once_they_hold_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto t1 = aio::create_task(waiter(cv, log, "1", true));
    auto t2 = aio::create_task(waiter(cv, log, "2", true));
    auto t3 = aio::create_task(waiter(cv, log, "3", true));
    co_await turn();
    EXPECT_TRUE(log.empty());
    EXPECT_FALSE(cv.locked());  // every waiter released it

    co_await cv.acquire();
    cv.notify();
    co_await turn();
    EXPECT_TRUE(log.empty());  // notified, but main holds the lock
    EXPECT_TRUE(cv.locked());

    cv.release();
    co_await turn();
    EXPECT_EQ(log, (log_t{"1"}));
    EXPECT_TRUE(cv.locked());  // t1 kept it

    cv.notify(2);
    co_await turn();
    EXPECT_EQ(log, (log_t{"1"}));
    EXPECT_TRUE(cv.locked());

    cv.release();
    co_await turn();
    EXPECT_EQ(log, (log_t{"1", "2"}));
    EXPECT_TRUE(cv.locked());

    cv.release();
    co_await turn();
    EXPECT_EQ(log, (log_t{"1", "2", "3"}));
    EXPECT_TRUE(cv.locked());
    EXPECT_TRUE(t1.done() && t2.done() && t3.done());
    cv.release();
  }());
}

// CPython test_notify: notify(n) wakes n, oldest first; more than are waiting is fine.
TEST(condition, notify_n_wakes_the_oldest_n) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto t1 = aio::create_task(waiter(cv, log, "1", false));
    auto t2 = aio::create_task(waiter(cv, log, "2", false));
    auto t3 = aio::create_task(waiter(cv, log, "3", false));
    co_await turn();

    co_await cv.acquire();
    cv.notify(1);
    cv.release();
    co_await turn();
    EXPECT_EQ(log, (log_t{"1"}));

    co_await cv.acquire();
    cv.notify(1);
    cv.notify(2048);
    cv.release();
    co_await turn();  // both take the free lock in turn, within one loop turn
    EXPECT_EQ(log, (log_t{"1", "2", "3"}));
    EXPECT_TRUE(t1.done() && t2.done() && t3.done());
    EXPECT_FALSE(cv.locked());
  }());
}

// CPython test_notify_all.
TEST(condition, notify_all_wakes_everyone) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto t1 = aio::create_task(waiter(cv, log, "1", false));
    auto t2 = aio::create_task(waiter(cv, log, "2", false));
    co_await turn();
    co_await cv.acquire();
    cv.notify_all();
    cv.release();
    co_await turn();
    EXPECT_EQ(log, (log_t{"1", "2"}));
    EXPECT_TRUE(t1.done() && t2.done());
  }());
}

TEST(condition, notify_with_nobody_waiting_is_a_no_op) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    co_await cv.acquire();
    cv.notify();
    cv.notify_all();
    cv.release();
    // A later waiter is not woken by an earlier notification (none is stored).
    log_t log;
    auto t = aio::create_task(waiter(cv, log, "late", false));
    co_await turn();
    co_await turn();
    EXPECT_FALSE(t.done());
    co_await cv.acquire();
    cv.notify();
    cv.release();
    co_await t;
    EXPECT_EQ(log, (log_t{"late"}));
  }());
}

// CPython test_wait_for: the predicate is re-evaluated, lock held, after each notification.
TEST(condition, wait_for_waits_until_the_predicate_holds) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    bool ready = false;
    int evaluations = 0;
    auto c1 = [](aio::condition& c, log_t& lg, bool& r, int& n) -> aio::coro<> {
      co_await c.acquire();
      co_await c.wait_for([&] {
        ++n;
        EXPECT_TRUE(c.locked());
        return r;
      });
      lg.push_back("1");
      c.release();
    };
    auto t = aio::create_task(c1(cv, log, ready, evaluations));
    co_await turn();
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(evaluations, 1);

    co_await cv.acquire();
    cv.notify();
    cv.release();
    co_await turn();
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(evaluations, 2);
    EXPECT_FALSE(cv.locked());  // waiting again, lock released

    ready = true;
    co_await cv.acquire();
    cv.notify();
    cv.release();
    co_await turn();
    EXPECT_EQ(log, (log_t{"1"}));
    EXPECT_EQ(evaluations, 3);
    EXPECT_TRUE(t.done());
  }());
}

// CPython test_wait_for_unacquired: a true predicate returns at once, even without the lock.
TEST(condition, wait_for_a_true_predicate_needs_no_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    co_await cv.wait_for([] { return true; });
    EXPECT_FALSE(cv.locked());
    bool threw = false;
    try {
      co_await cv.wait_for([] { return false; });
    } catch (const std::runtime_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
  }());
}

TEST(condition, wait_for_rethrows_what_the_predicate_throws_with_the_lock_held) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto c1 = [](aio::condition& c, log_t& lg) -> aio::coro<> {
      auto held = co_await aio::scoped(c);
      int calls = 0;
      try {
        co_await c.wait_for([&]() -> bool {
          if (++calls == 2) throw std::logic_error("bad predicate");
          return false;
        });
      } catch (const std::logic_error& e) {
        lg.push_back(std::string(e.what()) + (c.locked() ? " locked" : " unlocked"));
      }
    };
    auto t = aio::create_task(c1(cv, log));
    co_await turn();
    co_await cv.acquire();
    cv.notify();
    cv.release();
    co_await t;
    EXPECT_EQ(log, (log_t{"bad predicate locked"}));
    EXPECT_FALSE(cv.locked());
  }());
}

TEST(condition, over_an_external_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    aio::condition a(lk);
    aio::condition b(lk);
    EXPECT_FALSE(a.locked());
    co_await lk.acquire();
    EXPECT_TRUE(a.locked());
    EXPECT_TRUE(b.locked());
    a.notify();  // allowed: the shared lock is held
    lk.release();
    EXPECT_FALSE(b.locked());
    {
      auto held = co_await aio::scoped(b);
      EXPECT_TRUE(lk.locked());
    }
    EXPECT_FALSE(lk.locked());

    // A waiter on `a` re-acquires the shared lock, queued behind a plain acquirer of it.
    log_t log;
    auto w = aio::create_task(waiter(a, log, "a-waiter", false));
    co_await turn();
    EXPECT_FALSE(lk.locked());
    co_await lk.acquire();
    a.notify();
    auto plain = [](aio::lock& l, log_t& lg) -> aio::coro<> {
      co_await l.acquire();
      lg.push_back("plain");
      l.release();
    };
    auto p = aio::create_task(plain(lk, log));
    co_await turn();  // the notified waiter queued on the lock first, then the plain acquirer
    lk.release();
    co_await w;
    co_await p;
    EXPECT_EQ(log, (log_t{"a-waiter", "plain"}));
  }());
}

// CPython test_wait_cancel: a cancelled wait still re-acquires the lock.
TEST(condition, cancelled_wait_reacquires_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    co_await cv.acquire();
    auto bare_wait = [](aio::condition& c) -> aio::coro<> { co_await c.wait(); };
    auto t = aio::create_task(bare_wait(cv));  // waits on main's acquisition (locks are not owned)
    co_await turn();
    EXPECT_FALSE(cv.locked());
    t.cancel();
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    EXPECT_TRUE(cv.locked());  // the cancelled task holds it again
    cv.release();
  }());
}

TEST(condition, cancelled_wait_waits_for_the_lock_before_throwing) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto t = aio::create_task(guarded_waiter(cv, log, "w"));
    co_await turn();
    co_await cv.acquire();  // main holds the lock
    t.cancel();
    co_await turn();
    co_await turn();
    EXPECT_FALSE(t.done());  // cancelled, but it cannot leave wait() without the lock
    EXPECT_TRUE(log.empty());
    cv.release();
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(log, (log_t{"w cancelled, locked=yes"}));
    EXPECT_FALSE(cv.locked());  // released by its guard
  }());
}

// CPython test_cancelled_error_wakeup: the message of the cancel reaches the waiter.
TEST(condition, cancel_message_reaches_the_waiter) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    std::string seen;
    auto c1 = [](aio::condition& c, std::string& s) -> aio::coro<> {
      auto held = co_await aio::scoped(c);
      try {
        co_await c.wait_for([] { return false; });
      } catch (const aio::cancelled_error& e) {
        s = e.what();
        throw;
      }
    };
    auto t = aio::create_task(c1(cv, seen));
    co_await turn();
    t.cancel("foo");
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(seen, "foo");
  }());
}

// CPython test_cancelled_error_re_aquire: cancelled while re-acquiring after a notification.
TEST(condition, cancel_while_reacquiring_is_delivered_with_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    std::string seen;
    bool wake = false;
    auto c1 = [](aio::condition& c, std::string& s, bool& w) -> aio::coro<> {
      auto held = co_await aio::scoped(c);
      try {
        co_await c.wait_for([&] { return w; });
      } catch (const aio::cancelled_error& e) {
        s = std::string(e.what()) + (c.locked() ? " locked" : " unlocked");
        throw;
      }
    };
    auto t = aio::create_task(c1(cv, seen, wake));
    co_await turn();
    co_await cv.acquire();
    wake = true;
    cv.notify();
    co_await turn();  // the waiter now queues for the lock
    t.cancel("foo");
    cv.release();
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(seen, "foo locked");
    EXPECT_FALSE(cv.locked());
  }());
}

// CPython test_wait_cancel_contested.
TEST(condition, cancel_while_contested_ends_with_the_lock_held) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    co_await cv.acquire();
    auto bare_wait = [](aio::condition& c) -> aio::coro<> { co_await c.wait(); };
    auto t = aio::create_task(bare_wait(cv));
    co_await turn();
    EXPECT_FALSE(cv.locked());
    co_await cv.acquire();
    cv.notify();
    auto& loop = aio::get_running_loop();
    aio::task_handle h = t;
    loop.call_soon([h]() mutable { h.cancel(); });
    loop.call_soon([&cv] { cv.release(); });
    try {
      co_await t;
    } catch (const aio::cancelled_error&) {
      // asyncio may end either way here; what matters is the lock.
    }
    EXPECT_TRUE(cv.locked());
    cv.release();
  }());
}

// CPython test_wait_cancel_after_notify (bpo-32841).
TEST(condition, cancel_after_notify_while_waiting_for_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto t = aio::create_task(guarded_waiter(cv, log, "w"));
    co_await turn();
    co_await cv.acquire();
    cv.notify();
    co_await turn();  // the waiter queues for the lock
    t.cancel();
    co_await turn();
    cv.release();
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(log, (log_t{"w cancelled, locked=yes"}));
  }());
}

/// CPython's consumer of test_cancelled_wakeup*: takes units of `state` until it is negative.
aio::coro<> consumer(aio::condition& cv, int& state) {
  auto held = co_await aio::scoped(cv);
  for (;;) {
    co_await cv.wait_for([&] { return state != 0; });
    if (state < 0) co_return;
    --state;
  }
}

/// Waits (lock held) until `state == 0` or `limit` passes; a timeout by a cancel from another task.
aio::coro<> wait_consumed(aio::condition& cv, int& state, aio::clock::duration limit) {
  auto timer = aio::create_task(sync_test::cancel_after(aio::current_task(), limit));
  try {
    co_await cv.wait_for([&] { return state == 0; });
  } catch (const aio::cancelled_error&) {
    aio::current_task().uncancel();
  }
  EXPECT_TRUE(cv.locked());
  timer.cancel();
  try {
    co_await timer;
  } catch (const aio::cancelled_error&) {
  }
}

// CPython test_cancelled_wakeup: notified, then cancelled before it ran: the notification goes on.
TEST(condition, notification_of_a_cancelled_waiter_is_passed_on) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    int state = 0;
    auto c0 = aio::create_task(consumer(cv, state));
    auto c1 = aio::create_task(consumer(cv, state));
    co_await turn();
    {
      auto held = co_await aio::scoped(cv);
      state += 1;
      cv.notify(1);  // wakes c0 ...
      c0.cancel();   // ... which is cancelled before it runs
      co_await wait_consumed(cv, state, 10ms);
      EXPECT_EQ(state, 0);  // c1 got the notification c0 could not use
      state = -1;
      cv.notify_all();
    }
    co_await c1;
    EXPECT_TRUE(c0.cancelled());
  }());
}

// CPython test_cancelled_wakeup_relock: cancelled while re-acquiring the lock.
TEST(condition, notification_of_a_waiter_cancelled_while_relocking_is_passed_on) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    int state = 0;
    auto c0 = aio::create_task(consumer(cv, state));
    auto c1 = aio::create_task(consumer(cv, state));
    co_await turn();
    {
      auto held = co_await aio::scoped(cv);
      state += 1;
      cv.notify(1);
      co_await turn();  // c0 woke and queued for the lock
      c0.cancel();
      co_await wait_consumed(cv, state, 10ms);
      EXPECT_EQ(state, 0);
      state = -1;
      cv.notify_all();
    }
    co_await c1;
    EXPECT_TRUE(c0.cancelled());
  }());
}

// aio does not wake anyone for a waiter that was cancelled before it was notified (asyncio does, a
// spurious wake-up): the other waiters stay asleep.
TEST(condition, cancel_before_notify_wakes_nobody_else) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto a = aio::create_task(guarded_waiter(cv, log, "a"));
    auto b = aio::create_task(guarded_waiter(cv, log, "b"));
    co_await turn();
    a.cancel();
    co_await turn();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_FALSE(b.done());
    EXPECT_EQ(log, (log_t{"a cancelled, locked=yes"}));
    co_await cv.acquire();
    cv.notify();
    cv.release();
    co_await b;
    EXPECT_EQ(log, (log_t{"a cancelled, locked=yes", "b"}));
  }());
}

// A notified waiter cancelled while queued for the lock keeps its place in the lock's queue.
TEST(condition, cancelled_relocking_waiter_keeps_its_place_for_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto w = aio::create_task(guarded_waiter(cv, log, "w"));
    co_await turn();
    co_await cv.acquire();
    cv.notify();
    co_await turn();  // w queues for the lock
    auto plain = [](aio::condition& c, log_t& lg) -> aio::coro<> {
      co_await c.acquire();
      lg.push_back("plain");
      c.release();
    };
    auto p = aio::create_task(plain(cv, log));
    co_await turn();  // p queues behind w
    w.cancel();
    cv.release();
    co_await p;
    EXPECT_TRUE(w.cancelled());
    EXPECT_EQ(log, (log_t{"w cancelled, locked=yes", "plain"}));
  }());
}

// A timeout (cancel from another task) while blocked in wait(): CPython test_timeout_in_block.
TEST(condition, timeout_by_cancel_from_another_task) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    auto held = co_await aio::scoped(cv);
    const auto start = aio::get_running_loop().time();
    auto timer = aio::create_task(sync_test::cancel_after(aio::current_task(), 500ms));
    bool cancelled = false;
    try {
      co_await cv.wait();
    } catch (const aio::cancelled_error&) {
      cancelled = true;
      aio::current_task().uncancel();
    }
    EXPECT_TRUE(cancelled);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.5);
    EXPECT_TRUE(cv.locked());
    co_await timer;
  }());
}

// A cancel pending when wait() starts is delivered at once: the lock is never let go.
TEST(condition, pending_cancel_keeps_the_lock) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto t1 = [](aio::condition& c, log_t& lg) -> aio::coro<> {
      co_await c.acquire();
      aio::current_task().cancel();
      try {
        co_await c.wait();
      } catch (const aio::cancelled_error&) {
        lg.push_back(c.locked() ? "cancelled holding the lock" : "cancelled without the lock");
      }
      co_await aio::sleep(1s);  // nobody got the lock meanwhile
      c.release();
    };
    auto plain = [](aio::condition& c, log_t& lg) -> aio::coro<> {
      co_await c.acquire();
      lg.push_back("plain");
      c.release();
    };
    auto a = aio::create_task(t1(cv, log));
    auto b = aio::create_task(plain(cv, log));
    co_await a;
    co_await b;
    EXPECT_EQ(log, (log_t{"cancelled holding the lock", "plain"}));
  }());
}

TEST(condition, uncancel_after_withdrawal_still_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    log_t log;
    auto a = aio::create_task(guarded_waiter(cv, log, "a"));
    co_await turn();
    a.cancel();
    a.uncancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_EQ(log, (log_t{"a cancelled, locked=yes"}));
    EXPECT_FALSE(cv.locked());
  }());
}

TEST(condition, wait_outside_a_task_throws_and_keeps_the_lock) {
  aio::condition cv;
  auto acq = sync_test::await_outside([&] { return cv.acquire(); });
  ASSERT_TRUE(cv.locked());
  auto w = sync_test::await_outside([&] { return cv.wait(); });
  EXPECT_THROW(w.rethrow(), std::runtime_error);
  EXPECT_TRUE(cv.locked());
  cv.release();
}

// CPython test_timeout_in_block, with aio::wait_for: the lock is held again after the timeout.
TEST(condition, wait_for_timeout_on_wait_holds_the_lock_again) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    auto held = co_await aio::scoped(cv);
    bool timed_out = false;
    try {
      co_await aio::wait_for(cv.wait(), 500ms);
    } catch (const aio::timeout_error&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_TRUE(cv.locked());
  }());
}

}  // namespace
