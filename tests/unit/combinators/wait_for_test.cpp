// aio::wait_for / timeout / timeout_at, against CPython 3.13's timeouts.py and wait_for (3.12+):
// coros run inline, the inner work is awaited to its end, cancel counts keep an outer cancel apart
// from the deadline (gh-102780), a swallowed cancellation keeps the result, nested scopes.
#include "aio/combinators/wait_for.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/combinators/gather.hpp"
#include "aio/combinators/shield.hpp"
#include "aio/sync/lock.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using log_t = std::vector<std::string>;

aio::coro<int> slow(std::chrono::milliseconds d, int v, log_t* log = nullptr) {
  if (log != nullptr) log->push_back("start");
  try {
    co_await aio::sleep(d);
  } catch (const aio::cancelled_error&) {
    if (log != nullptr) log->push_back("cancelled");
    throw;
  }
  if (log != nullptr) log->push_back("end");
  co_return v;
}

aio::coro<> forever(log_t* log) {
  log->push_back("start");
  std::exception_ptr cancelled;
  try {
    co_await aio::sleep(1h);
  } catch (const aio::cancelled_error&) {
    cancelled = std::current_exception();
  }
  log->push_back("cleanup begins");
  co_await aio::sleep(5ms);  // the cleanup itself takes time: wait_for must wait for it
  log->push_back("cleanup ends");
  std::rethrow_exception(cancelled);
}

TEST(wait_for, in_time_gives_the_result_and_leaves_no_timer) {
  aio_test::run([]() -> aio::coro<> {
    int v = co_await aio::wait_for(slow(10ms, 3), 1s);
    EXPECT_EQ(v, 3);
    EXPECT_EQ(aio::get_running_loop().pending_timers(), 0U);
  }());
}

TEST(wait_for, a_finished_scope_never_fires_later) {
  aio_test::run([]() -> aio::coro<> {
    auto w = aio::wait_for(slow(1ms, 3), 10ms);
    EXPECT_EQ(co_await w, 3);
    EXPECT_EQ(aio::get_running_loop().pending_timers(), 0U);
    co_await aio::sleep(50ms);  // past the old deadline, with w still alive
    EXPECT_EQ(aio::current_task().cancelling(), 0);
  }());
}

TEST(wait_for, expiry_cancels_awaits_the_cleanup_then_throws_timeout_error) {
  log_t log;
  const auto real_start = std::chrono::steady_clock::now();
  aio_test::run([](log_t* log) -> aio::coro<> {
    const auto start = aio::get_running_loop().time();
    try {
      co_await aio::wait_for(forever(log), 1h);
      ADD_FAILURE() << "no timeout";
    } catch (const aio::timeout_error&) {
      log->push_back("timeout");
    }
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 3600.005);
    EXPECT_EQ(aio::current_task().cancelling(), 0);
  }(&log));
  EXPECT_EQ(log, (log_t{"start", "cleanup begins", "cleanup ends", "timeout"}));
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, 1s);  // virtual time: an hour in microseconds
}

TEST(wait_for, a_coro_runs_inside_the_callers_task) {
  aio_test::run([]() -> aio::coro<> {
    const aio::task_handle me = aio::current_task();
    const std::size_t tasks_before = aio::get_running_loop().live_tasks();
    auto probe = [](aio::task_handle me, std::size_t before) -> aio::coro<bool> {
      co_await aio::sleep(1ms);
      EXPECT_EQ(aio::get_running_loop().live_tasks(), before);  // no task was made for it
      co_return aio::current_task() == me;
    };
    EXPECT_TRUE(co_await aio::wait_for(probe(me, tasks_before), 1s));
    EXPECT_TRUE(co_await aio::timeout(1s, probe(me, tasks_before)));
  }());
}

TEST(wait_for, a_task_argument_is_cancelled_on_expiry) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(slow(1h, 1));
    EXPECT_THROW(co_await aio::wait_for(t, 10ms), aio::timeout_error);
    EXPECT_TRUE(t.cancelled());
    auto f = aio::future<int>();
    EXPECT_THROW(co_await aio::wait_for(f, 10ms), aio::timeout_error);
    EXPECT_TRUE(f.cancelled());
  }());
}

TEST(wait_for, non_positive_delay_never_starts_a_coro) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    EXPECT_THROW(co_await aio::wait_for(slow(0ms, 1, log), 0s), aio::timeout_error);
    EXPECT_THROW(co_await aio::wait_for(slow(0ms, 1, log), -5s), aio::timeout_error);
    EXPECT_THROW(co_await aio::wait_for(aio::sleep(0s), 0s), aio::timeout_error);
    EXPECT_TRUE(log->empty());
    auto done = aio::create_task(slow(0ms, 7));
    co_await done;
    EXPECT_EQ(co_await aio::wait_for(done, 0s), 7);  // a done task gives its result
    auto pending = aio::create_task(slow(1h, 8));
    EXPECT_THROW(co_await aio::wait_for(pending, 0s), aio::timeout_error);
    EXPECT_TRUE(pending.cancelled());
  }(&log));
}

TEST(wait_for, timeout_with_a_past_deadline_lets_the_body_take_its_first_step) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    EXPECT_THROW(co_await aio::timeout(0s, slow(1h, 1, log)), aio::timeout_error);
    const auto past = aio::get_running_loop().time() - 1s;
    EXPECT_THROW(co_await aio::timeout_at(past, slow(1h, 1, log)), aio::timeout_error);
  }(&log));
  EXPECT_EQ(log, (log_t{"start", "cancelled", "start", "cancelled"}));
}

TEST(wait_for, timeout_at_max_never_expires_and_arms_no_timer) {
  aio_test::run([]() -> aio::coro<> {
    auto probe = []() -> aio::coro<std::size_t> {
      co_await aio::sleep(0s);
      co_return aio::get_running_loop().pending_timers();
    };
    EXPECT_EQ(co_await aio::timeout_at(aio::clock::time_point::max(), probe()), 0U);
    EXPECT_EQ(co_await aio::wait_for(probe(), std::chrono::hours::max()), 0U);
    EXPECT_EQ(co_await aio::wait_for(probe(), std::chrono::duration<double>(1e300)), 0U);
    EXPECT_EQ(co_await aio::wait_for(slow(1ms, 2), std::chrono::duration<double>(0.5)), 2);
  }());
}

TEST(wait_for, a_swallowed_cancellation_keeps_the_result) {
  aio_test::run([]() -> aio::coro<> {
    auto stubborn = []() -> aio::coro<int> {
      try {
        co_await aio::sleep(1h);
      } catch (const aio::cancelled_error&) {
      }
      co_await aio::sleep(5ms);  // not cancelled again
      co_return 42;
    };
    EXPECT_EQ(co_await aio::wait_for(stubborn(), 10ms), 42);
    EXPECT_EQ(aio::current_task().cancelling(), 0);
    auto t = aio::create_task(stubborn());
    EXPECT_EQ(co_await aio::wait_for(t, 10ms), 42);
  }());
}

TEST(wait_for, an_outer_cancel_stays_a_cancel) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto t = aio::create_task([](log_t* log) -> aio::coro<> {
      try {
        co_await aio::wait_for(forever(log), 1h);
      } catch (const aio::timeout_error&) {
        ADD_FAILURE() << "an outer cancel became a timeout";
      }
    }(log));
    co_await aio::sleep(10ms);
    t.cancel("outer");
    try {
      co_await t;
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "outer");
    }
  }(&log));
  EXPECT_EQ(log, (log_t{"start", "cleanup begins", "cleanup ends"}));
}

// gh-102780: an outer cancel that reaches the task in the iteration where the deadline passes, before
// the task resumes, stays a cancel. aio's deadline acts straight from the timer (as aio::sleep's
// wake-up does, without asyncio's extra callback hop), so a cancel whose timer was scheduled after the
// deadline's arrives once the task already handled its timeout: then it is delivered at the next
// suspension point, never lost.
TEST(wait_for, an_outer_cancel_racing_the_deadline_is_never_lost_nor_a_timeout) {
  for (const bool cancel_first : {true, false}) {
    aio_test::run([](bool cancel_first) -> aio::coro<> {
      aio::event_loop& loop = aio::get_running_loop();
      const auto deadline = loop.time() + 10ms;
      bool timed_out = false;
      auto victim = aio::create_task([](bool cancel_first, aio::clock::time_point deadline,
                                        bool* timed_out) -> aio::coro<> {
        if (cancel_first) {
          aio::get_running_loop().call_at(deadline, [me = aio::current_task()]() mutable { me.cancel(); });
        }
        try {
          co_await aio::timeout_at(deadline, aio::sleep(1h));
        } catch (const aio::timeout_error&) {
          *timed_out = true;
        }
        co_await aio::sleep(1h);
      }(cancel_first, deadline, &timed_out));
      if (!cancel_first) {
        co_await aio::sleep(0s);  // the victim entered its scope: its timer is older than ours
        loop.call_at(deadline, [victim]() mutable { victim.cancel(); });
      }
      EXPECT_THROW(co_await victim, aio::cancelled_error) << "cancel_first=" << cancel_first;
      EXPECT_TRUE(victim.cancelled());
      EXPECT_EQ(timed_out, !cancel_first);
    }(cancel_first));
  }
}

TEST(wait_for, nested_scopes_the_outer_deadline_wins) {
  aio_test::run([]() -> aio::coro<> {
    bool inner_saw_cancel = false;
    auto body = [](bool* inner_saw_cancel) -> aio::coro<> {
      try {
        co_await aio::wait_for(aio::sleep(1h), 50ms);
      } catch (const aio::cancelled_error&) {
        *inner_saw_cancel = true;  // not its own deadline: the cancel goes through
        throw;
      }
    };
    EXPECT_THROW(co_await aio::wait_for(body(&inner_saw_cancel), 10ms), aio::timeout_error);
    EXPECT_TRUE(inner_saw_cancel);
    // Both expire at the same instant: still the outer one reports the timeout.
    inner_saw_cancel = false;
    auto same = [](bool* flag) -> aio::coro<> {
      try {
        co_await aio::wait_for(aio::sleep(1h), 10ms);
      } catch (const aio::cancelled_error&) {
        *flag = true;
        throw;
      }
    };
    EXPECT_THROW(co_await aio::wait_for(same(&inner_saw_cancel), 10ms), aio::timeout_error);
    EXPECT_TRUE(inner_saw_cancel);
    // The inner deadline is earlier: the inner reports it and the outer goes on.
    auto inner_first = []() -> aio::coro<int> {
      try {
        co_await aio::wait_for(aio::sleep(1h), 10ms);
      } catch (const aio::timeout_error&) {
        co_return 1;
      }
      co_return 0;
    };
    EXPECT_EQ(co_await aio::wait_for(inner_first(), 50ms), 1);
    EXPECT_EQ(aio::current_task().cancelling(), 0);
  }());
}

TEST(wait_for, a_failure_during_cancellation_is_what_propagates) {
  aio_test::run([]() -> aio::coro<> {
    auto bad_cleanup = []() -> aio::coro<> {
      try {
        co_await aio::sleep(1h);
      } catch (const aio::cancelled_error&) {
        throw std::logic_error("cleanup failed");  // bpo-40607
      }
    };
    EXPECT_THROW(co_await aio::wait_for(bad_cleanup(), 10ms), std::logic_error);
    EXPECT_EQ(aio::current_task().cancelling(), 0);
    auto failing = []() -> aio::coro<int> {
      co_await aio::sleep(1ms);
      throw std::out_of_range("plain failure");
    };
    EXPECT_THROW(co_await aio::wait_for(failing(), 1s), std::out_of_range);
    EXPECT_EQ(aio::get_running_loop().pending_timers(), 0U);
  }());
}

TEST(wait_for, primitives_awaiters_are_cancelled_cleanly) {
  aio_test::run([]() -> aio::coro<> {
    aio::lock lk;
    co_await lk.acquire();
    EXPECT_THROW(co_await aio::wait_for(lk.acquire(), 10ms), aio::timeout_error);
    lk.release();
    EXPECT_FALSE(lk.locked());  // the withdrawn waiter took nothing
    co_await aio::wait_for(lk.acquire(), 10ms);
    EXPECT_TRUE(lk.locked());
    lk.release();
    EXPECT_THROW(co_await aio::timeout(10ms, aio::sleep(1h)), aio::timeout_error);
  }());
}

TEST(wait_for, a_gather_under_a_deadline_cancels_its_children) {
  aio_test::run([]() -> aio::coro<> {
    auto a = aio::create_task(slow(1h, 1));
    EXPECT_THROW(co_await aio::wait_for(aio::gather(a, slow(1h, 2)), 10ms), aio::timeout_error);
    EXPECT_TRUE(a.cancelled());
  }());
}

TEST(wait_for, a_shield_under_a_deadline_lets_the_task_run_on) {
  aio_test::run([]() -> aio::coro<> {
    auto save = aio::create_task(slow(30ms, 5));
    EXPECT_THROW(co_await aio::wait_for(aio::shield(save), 10ms), aio::timeout_error);
    EXPECT_FALSE(save.done());
    EXPECT_EQ(co_await save, 5);
  }());
}

TEST(wait_for, is_lazy_and_movable_until_awaited) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto w = aio::wait_for(slow(20ms, 9, log), 10ms);
    co_await aio::sleep(50ms);
    EXPECT_TRUE(log->empty());  // nothing ran, the deadline has not started
    auto moved = std::move(w);
    EXPECT_THROW(co_await std::move(moved), aio::timeout_error);
  }(&log));
  EXPECT_EQ(log, (log_t{"start", "cancelled"}));
}

TEST(wait_for, an_empty_coro_is_an_invalid_state) {
  aio_test::run([]() -> aio::coro<> {
    aio::coro<int> empty;
    EXPECT_THROW(co_await aio::wait_for(std::move(empty), 1s), aio::invalid_state_error);
    EXPECT_EQ(aio::get_running_loop().pending_timers(), 0U);
  }());
}

TEST(wait_for, an_lvalue_coro_is_awaited_in_place) {
  aio_test::run([]() -> aio::coro<> {
    auto c = slow(1ms, 4);
    EXPECT_EQ(co_await aio::wait_for(c, 1s), 4);
  }());
}

}  // namespace
