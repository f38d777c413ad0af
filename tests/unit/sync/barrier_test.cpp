#include "aio/sync/barrier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sync_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sync_test::turn;

namespace {

constexpr int k_n = 5;

/// Starts `n` tasks running `body(i)` and awaits them all, in order; returns how many failed.
aio::coro<int> run_all(int n, std::function<aio::coro<>(int)> body) {
  std::vector<aio::task<>> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back(aio::create_task(body(i)));
  int failed = 0;
  for (auto& t : tasks) {
    try {
      co_await t;
    } catch (...) {
      ++failed;
    }
  }
  co_return failed;
}

aio::coro<> set_flag(bool& flag) {
  flag = true;
  co_return;
}

/// Waits once and records the arrival index (or "broken").
aio::coro<> wait_once(aio::barrier& b, std::vector<std::string>& log) {
  try {
    log.push_back(std::to_string(co_await b.wait()));
  } catch (const aio::broken_barrier_error&) {
    log.push_back("broken");
  }
}

TEST(barrier, needs_at_least_one_party) {
  EXPECT_THROW(aio::barrier(0), std::invalid_argument);
  EXPECT_THROW(aio::barrier(-4), std::invalid_argument);
  aio::barrier b(k_n);
  EXPECT_EQ(b.parties(), static_cast<std::size_t>(k_n));
  EXPECT_EQ(b.n_waiting(), 0U);
  EXPECT_FALSE(b.broken());
}

// CPython test_filling_one_task: the last arrival passes without yielding.
TEST(barrier, one_party_passes_at_once) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(1);
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    EXPECT_EQ(co_await b.wait(), 0U);
    EXPECT_EQ(co_await b.wait(), 0U);
    EXPECT_FALSE(other_ran);
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
    co_await t;
  }());
}

// CPython test_filling_task_by_task.
TEST(barrier, counts_waiting_tasks_until_it_trips) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(3);
    std::vector<std::string> log;
    auto t1 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 1U);
    auto t2 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 2U);
    auto t3 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 0U);  // draining
    co_await t1;
    co_await t2;
    co_await t3;
    // The last arrival returns first (it did not wait), then the others in arrival order.
    EXPECT_EQ(log, (std::vector<std::string>{"2", "0", "1"}));
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
  }());
}

// CPython test_filling_tasks_wait_twice / check_return_value: reusable, indices 0..n-1.
TEST(barrier, is_reusable_and_indices_are_a_permutation) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    std::vector<std::size_t> first;
    std::vector<std::size_t> second;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      first.push_back(co_await b.wait());
      second.push_back(co_await b.wait());
    });
    EXPECT_EQ(failed, 0);
    std::sort(first.begin(), first.end());
    std::sort(second.begin(), second.end());
    const std::vector<std::size_t> want{0, 1, 2, 3, 4};
    EXPECT_EQ(first, want);
    EXPECT_EQ(second, want);
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
  }());
}

// CPython test_blocking_tasks_while_draining: arrivals during draining wait for the next round.
TEST(barrier, arrivals_while_draining_wait_for_the_next_round) {
  sync_test::run([]() -> aio::coro<> {
    constexpr int rewait = 2;
    aio::barrier b(k_n);
    aio::barrier others(k_n - rewait);
    int rewait_n = rewait;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      co_await b.wait();
      if (rewait_n > 0) {
        --rewait_n;
        co_await b.wait();  // blocked until the round drained, then counted in the next one
      } else {
        co_await others.wait();
        co_await b.wait();
      }
    });
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(b.n_waiting(), 0U);
  }());
}

// CPython test_filling_tasks_cancel_one.
TEST(barrier, cancelled_waiter_no_longer_counts) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(3);
    std::vector<std::string> log;
    auto t1 = aio::create_task(wait_once(b, log));
    co_await turn();
    auto t2 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 2U);
    t1.cancel();
    co_await turn();
    EXPECT_TRUE(t1.cancelled());
    EXPECT_EQ(b.n_waiting(), 1U);
    auto t3 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 2U);
    EXPECT_FALSE(t2.done());
    auto t4 = aio::create_task(wait_once(b, log));
    co_await t2;
    co_await t3;
    co_await t4;
    EXPECT_EQ(log.size(), 3U);
    EXPECT_EQ(std::count(log.begin(), log.end(), "broken"), 0);
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
  }());
}

TEST(barrier, cancel_after_trip_before_running_throws_only_there) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(3);
    std::vector<std::string> log;
    auto t1 = aio::create_task(wait_once(b, log));
    auto t2 = aio::create_task(wait_once(b, log));
    co_await turn();
    auto t3 = aio::create_task(wait_once(b, log));
    co_await turn();  // t3 trips the barrier and leaves; t1 and t2 are woken
    t1.cancel();
    co_await turn();
    EXPECT_TRUE(t1.cancelled());
    EXPECT_TRUE(t2.done() && !t2.cancelled());
    EXPECT_EQ(log, (std::vector<std::string>{"2", "1"}));
    EXPECT_EQ(b.n_waiting(), 0U);
    // The round is over (the cancelled task left too): a new one fills from zero.
    auto t4 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 1U);
    b.abort();
    co_await t4;
    EXPECT_EQ(log.back(), "broken");
    co_await t2;
    co_await t3;
  }());
}

TEST(barrier, cancel_while_blocked_by_draining_does_not_count) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(2);
    std::vector<std::string> log;
    auto t1 = aio::create_task(wait_once(b, log));
    auto t2 = aio::create_task(wait_once(b, log));
    auto late = aio::create_task(wait_once(b, log));  // arrives while draining: blocked
    co_await turn();
    late.cancel();
    co_await t1;
    co_await t2;
    co_await turn();
    EXPECT_TRUE(late.cancelled());
    EXPECT_EQ(b.n_waiting(), 0U);  // it never counted
    auto t3 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 1U);
    co_await b.wait();
    co_await t3;
  }());
}

// CPython test_reset_barrier.
TEST(barrier, reset_of_an_idle_barrier) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(1);
    b.reset();
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
    EXPECT_EQ(co_await b.wait(), 0U);
  }());
}

// CPython test_reset_barrier_while_tasks_waiting.
TEST(barrier, reset_breaks_the_waiting_round) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    std::vector<std::string> log;
    std::vector<aio::task<>> tasks;
    for (int i = 0; i < k_n - 1; ++i) tasks.push_back(aio::create_task(wait_once(b, log)));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), static_cast<std::size_t>(k_n - 1));
    b.reset();
    EXPECT_EQ(b.n_waiting(), 0U);  // resetting
    for (auto& t : tasks) co_await t;
    EXPECT_EQ(log, std::vector<std::string>(k_n - 1, "broken"));
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
    // Usable again.
    tasks.clear();
    log.clear();
    for (int i = 0; i < k_n; ++i) tasks.push_back(aio::create_task(wait_once(b, log)));
    for (auto& t : tasks) co_await t;
    EXPECT_EQ(std::count(log.begin(), log.end(), "broken"), 0);
  }());
}

// CPython test_reset_barrier_when_tasks_half_draining: as asyncio, tasks of a tripped round that
// have not run yet when reset() is called get broken_barrier_error.
TEST(barrier, reset_while_draining_breaks_the_tasks_not_yet_out) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    constexpr int rest = k_n / 2;
    int out = 0;
    int broken = 0;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      try {
        co_await b.wait();
      } catch (const aio::broken_barrier_error&) {
        ++broken;
        co_return;
      }
      if (++out == k_n - rest) b.reset();
    });
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(broken, rest);
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
  }());
}

// CPython test_reset_barrier_when_tasks_half_draining_half_blocking.
TEST(barrier, reset_while_half_draining_half_blocking) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    constexpr int blocking = k_n / 2;
    int count = 0;
    int results1 = 0;
    int results2 = 0;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      bool broke = false;
      try {
        co_await b.wait();
      } catch (const aio::broken_barrier_error&) {
        broke = true;
      }
      if (broke) {
        ++results1;  // still draining when reset: broken
        co_await b.wait();
        co_return;
      }
      if (++count > blocking) {
        b.reset();
        co_await b.wait();
      } else {
        try {
          co_await b.wait();  // blocked while draining: not broken by the reset
        } catch (const aio::broken_barrier_error&) {
          ++results2;
        }
      }
    });
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(results1, blocking);
    EXPECT_EQ(results2, 0);
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
  }());
}

// CPython test_reset_barrier_while_tasks_waiting_and_waiting_again.
TEST(barrier, reset_then_everyone_waits_again) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    int results1 = 0;
    int results2 = 0;
    std::vector<aio::task<>> tasks;
    auto coro1 = [](aio::barrier& bar, int& r1, int& r2) -> aio::coro<> {
      try {
        co_await bar.wait();
      } catch (const aio::broken_barrier_error&) {
        ++r1;
      }
      co_await bar.wait();
      ++r2;
    };
    for (int i = 0; i < k_n - 1; ++i) tasks.push_back(aio::create_task(coro1(b, results1, results2)));
    auto resetter = [](aio::barrier& bar) -> aio::coro<> {
      bar.reset();
      co_return;
    };
    auto r = aio::create_task(resetter(b));
    co_await turn();
    auto coro2 = [](aio::barrier& bar, int& r2) -> aio::coro<> {
      co_await bar.wait();
      ++r2;
    };
    auto last = aio::create_task(coro2(b, results2));
    for (auto& t : tasks) co_await t;
    co_await last;
    co_await r;
    EXPECT_FALSE(b.broken());
    EXPECT_EQ(results1, k_n - 1);
    EXPECT_EQ(results2, k_n);
    EXPECT_EQ(b.n_waiting(), 0U);
  }());
}

// CPython test_reset_barrier_while_tasks_draining.
TEST(barrier, reset_by_the_last_task_out) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    int count = 0;
    int results1 = 0;
    int results2 = 0;
    int results3 = 0;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      co_await b.wait();
      if (++count == k_n) {
        b.reset();  // the round is over: nothing to break
        co_await b.wait();
      } else {
        try {
          co_await b.wait();
          ++results1;
        } catch (...) {
          ++results2;
        }
      }
      co_await b.wait();
      ++results3;
    });
    EXPECT_EQ(failed, 0);
    EXPECT_FALSE(b.broken());
    EXPECT_EQ(results1, k_n - 1);
    EXPECT_EQ(results2, 0);
    EXPECT_EQ(results3, k_n);
    EXPECT_EQ(b.n_waiting(), 0U);
  }());
}

// CPython test_abort_barrier.
TEST(barrier, abort_breaks_it_until_reset) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(2);
    b.abort();
    EXPECT_TRUE(b.broken());
    EXPECT_EQ(b.n_waiting(), 0U);
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    bool threw = false;
    try {
      co_await b.wait();
    } catch (const aio::broken_barrier_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    EXPECT_FALSE(other_ran);  // a broken barrier throws without suspending
    b.reset();
    EXPECT_FALSE(b.broken());
    std::vector<std::string> log;
    auto w = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(co_await b.wait(), 1U);
    co_await w;
    co_await t;
    EXPECT_EQ(log, (std::vector<std::string>{"0"}));
  }());
}

TEST(barrier, abort_breaks_waiting_and_blocked_tasks) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(3);
    std::vector<std::string> log;
    auto w1 = aio::create_task(wait_once(b, log));
    auto w2 = aio::create_task(wait_once(b, log));
    co_await turn();
    EXPECT_EQ(b.n_waiting(), 2U);
    b.abort();
    co_await w1;
    co_await w2;
    EXPECT_EQ(log, (std::vector<std::string>{"broken", "broken"}));
    EXPECT_TRUE(b.broken());
    EXPECT_EQ(b.n_waiting(), 0U);
  }());
}

// CPython test_abort_barrier_when_tasks_half_draining_half_blocking.
TEST(barrier, abort_while_half_draining_half_blocking) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    constexpr int blocking = k_n / 2;
    int count = 0;
    int results1 = 0;
    int results2 = 0;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      try {
        co_await b.wait();
      } catch (const aio::broken_barrier_error&) {
        ++results1;  // still draining when aborted
        co_return;
      }
      if (++count > blocking) {
        b.abort();
      } else {
        try {
          co_await b.wait();
        } catch (const aio::broken_barrier_error&) {
          ++results2;  // blocked (drained) tasks
        }
      }
    });
    EXPECT_EQ(failed, 0);
    EXPECT_TRUE(b.broken());
    EXPECT_EQ(results1, blocking);
    EXPECT_EQ(results2, k_n - blocking - 1);
    EXPECT_EQ(b.n_waiting(), 0U);
  }());
}

// CPython test_abort_barrier_when_exception.
TEST(barrier, abort_on_an_exception_breaks_everyone_else) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(k_n);
    int passed = 0;
    int broken = 0;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      try {
        const std::size_t i = co_await b.wait();
        if (i == static_cast<std::size_t>(k_n / 2)) throw std::runtime_error("boom");
        co_await b.wait();
        ++passed;
      } catch (const aio::broken_barrier_error&) {
        ++broken;
      } catch (const std::runtime_error&) {
        b.abort();
      }
    });
    EXPECT_EQ(failed, 0);
    EXPECT_TRUE(b.broken());
    EXPECT_EQ(passed, 0);
    EXPECT_EQ(broken, k_n - 1);
    EXPECT_EQ(b.n_waiting(), 0U);
  }());
}

// CPython test_abort_barrier_when_exception_then_resetting.
TEST(barrier, abort_then_reset_after_synchronising) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b1(k_n);
    aio::barrier b2(k_n);
    int passed = 0;
    int broken = 0;
    int final = 0;
    const int failed = co_await run_all(k_n, [&](int) -> aio::coro<> {
      try {
        const std::size_t i = co_await b1.wait();
        if (i == static_cast<std::size_t>(k_n / 2)) throw std::runtime_error("boom");
        co_await b1.wait();
        ++passed;
      } catch (const aio::broken_barrier_error&) {
        ++broken;
      } catch (const std::runtime_error&) {
        b1.abort();
      }
      if (co_await b2.wait() == static_cast<std::size_t>(k_n / 2)) b1.reset();
      co_await b2.wait();
      co_await b1.wait();
      ++final;
    });
    EXPECT_EQ(failed, 0);
    EXPECT_FALSE(b1.broken());
    EXPECT_EQ(passed, 0);
    EXPECT_EQ(broken, k_n - 1);
    EXPECT_EQ(final, k_n);
    EXPECT_EQ(b1.n_waiting(), 0U);
  }());
}

TEST(barrier, timeout_by_cancel_from_another_task) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(2);
    std::vector<std::string> log;
    const auto start = aio::get_running_loop().time();
    auto w = aio::create_task(wait_once(b, log));
    auto timer = aio::create_task(sync_test::cancel_after(w, 3s));
    const bool cancelled = co_await aio_test::was_cancelled(w);
    EXPECT_TRUE(cancelled) << "the waiter should have been cancelled";
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 3.0);
    EXPECT_EQ(b.n_waiting(), 0U);
    co_await timer;
    EXPECT_TRUE(log.empty());
  }());
}

TEST(barrier, pending_cancel_is_delivered_before_arriving) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(2);
    auto self_cancel = [](aio::barrier& bar) -> aio::coro<> {
      aio::current_task().cancel();
      co_await bar.wait();
      ADD_FAILURE() << "passed a barrier alone";
    };
    auto t = aio::create_task(self_cancel(b));
    co_await turn();
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(b.n_waiting(), 0U);
  }());
}

TEST(barrier, wait_outside_a_task_throws) {
  aio::barrier b(2);
  auto w = sync_test::await_outside([&] { return b.wait(); });
  EXPECT_THROW(w.rethrow(), std::runtime_error);
  EXPECT_EQ(b.n_waiting(), 0U);
}

TEST(barrier, wait_for_timeout_on_wait_leaves_the_round) {
  sync_test::run([]() -> aio::coro<> {
    aio::barrier b(2);
    bool timed_out = false;
    try {
      co_await aio::wait_for(b.wait(), 1s);
    } catch (const aio::timeout_error&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_EQ(b.n_waiting(), 0U);
    EXPECT_FALSE(b.broken());
  }());
}

}  // namespace
