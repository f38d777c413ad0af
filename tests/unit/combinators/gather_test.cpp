// aio::gather, against CPython 3.13's gather() and test_tasks.py's gather tests: results in argument
// order, eager scheduling, first failure propagated while the others run on, cancellation both ways,
// return_exceptions, ranges, empty inputs, borrowed awaiters.
#include "aio/combinators/gather.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "aio/sync/lock.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using log_t = std::vector<std::string>;

aio::coro<int> value_after(std::chrono::milliseconds d, int v, log_t* log = nullptr) {
  if (log != nullptr) log->push_back("start " + std::to_string(v));
  co_await aio::sleep(d);
  if (log != nullptr) log->push_back("end " + std::to_string(v));
  co_return v;
}

aio::coro<> fail_after(std::chrono::milliseconds d, std::string what) {
  co_await aio::sleep(d);
  throw std::runtime_error(what);
}

aio::coro<int> fail_int_after(std::chrono::milliseconds d, std::string what) {
  co_await aio::sleep(d);
  throw std::runtime_error(what);
}

aio::coro<std::string> text(std::string s) {
  co_await aio::sleep(1ms);
  co_return s;
}

aio::coro<> nothing() { co_await aio::sleep(2ms); }

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (const aio::cancelled_error&) {
    return "cancelled";
  }
}

TEST(gather, results_come_in_argument_order_after_the_longest_child) {
  aio_test::run([]() -> aio::coro<> {
    const auto start = aio::get_running_loop().time();
    auto [a, b, c] = co_await aio::gather(value_after(20ms, 1), value_after(10ms, 2), value_after(30ms, 3));
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 2);
    EXPECT_EQ(c, 3);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.030);
  }());
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(gather, takes_any_awaitable_and_void_gives_monostate) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(text("task"));
    aio::future<double> f;
    aio::get_running_loop().call_later(5ms, [f]() mutable { f.set_result(2.5); });
    auto r = co_await aio::gather(text("coro"), t, f, aio::sleep(3ms), aio::task_handle(t), nothing());
    static_assert(std::is_same_v<decltype(r), std::tuple<std::string, std::string, double, std::monostate,
                                                         std::monostate, std::monostate>>);
    EXPECT_EQ(std::get<0>(r), "coro");
    EXPECT_EQ(std::get<1>(r), "task");
    EXPECT_EQ(std::get<2>(r), 2.5);
    EXPECT_EQ(t.result(), "task");  // a shared task is copied from, not moved from
  }());
}

TEST(gather, is_eager_coros_become_tasks_at_the_call_left_to_right) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto g = aio::gather(value_after(1ms, 1, log), value_after(1ms, 2, log), value_after(1ms, 3, log));
    EXPECT_TRUE(log->empty());  // scheduled, not run inline
    co_await aio::sleep(0s);
    EXPECT_EQ(*log, (log_t{"start 1", "start 2", "start 3"}));
    auto [a, b, c] = co_await g;
    EXPECT_EQ(a + b + c, 6);
  }(&log));
}

TEST(gather, empty_inputs_complete_at_once_without_yielding) {
  aio_test::run([]() -> aio::coro<> {
    bool other_ran = false;
    auto t = aio::create_task([](bool* flag) -> aio::coro<> {
      *flag = true;
      co_return;
    }(&other_ran));
    std::tuple<> nothing_at_all = co_await aio::gather();
    (void)nothing_at_all;
    std::vector<int> none = co_await aio::gather(std::vector<aio::coro<int>>{});
    EXPECT_TRUE(none.empty());
    auto none2 = co_await aio::gather(aio::return_exceptions, std::vector<aio::task<int>>{});
    EXPECT_TRUE(none2.empty());
    EXPECT_FALSE(other_ran);  // no suspension happened
    co_await t;
  }());
}

TEST(gather, first_failure_is_rethrown_at_once_and_the_others_keep_running) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    const auto start = aio::get_running_loop().time();
    try {
      co_await aio::gather(value_after(50ms, 1, log), fail_after(10ms, "boom"), value_after(30ms, 2, log));
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "boom");
    }
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.010);
    EXPECT_EQ(*log, (log_t{"start 1", "start 2"}));
    co_await aio::sleep(100ms);  // the siblings were not cancelled
    EXPECT_EQ(*log, (log_t{"start 1", "start 2", "end 2", "end 1"}));
  }(&log));
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(gather, failures_after_the_first_are_marked_retrieved) {
  aio_test::run([]() -> aio::coro<> {
    try {
      co_await aio::gather(fail_after(10ms, "first"), fail_after(20ms, "second"));
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "first");
    }
    co_await aio::sleep(50ms);
  }());
  EXPECT_TRUE(aio_test::reports().empty()) << "the second failure was reported as never retrieved";
}

TEST(gather, failures_after_the_first_are_marked_retrieved_while_the_gather_lives) {
  aio_test::run([]() -> aio::coro<> {
    auto g = aio::gather(fail_after(10ms, "first"), fail_after(20ms, "second"));
    EXPECT_THROW(co_await g, std::runtime_error);
    co_await aio::sleep(50ms);  // "second" fails while g still follows it
  }());
  EXPECT_TRUE(aio_test::reports().empty()) << "the second failure was reported as never retrieved";
}

TEST(gather, first_failure_in_completion_order_not_argument_order) {
  aio_test::run([]() -> aio::coro<> {
    try {
      co_await aio::gather(fail_after(20ms, "slow"), fail_after(10ms, "fast"));
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "fast");
    }
    co_await aio::sleep(50ms);
  }());
}

TEST(gather, cancelling_the_awaiter_cancels_every_child) {
  aio_test::run([]() -> aio::coro<> {
    auto a = aio::create_task(value_after(1h, 1));
    auto b = aio::create_task(value_after(1h, 2));
    auto outer = aio::create_task([](aio::task<int> a, aio::task<int> b) -> aio::coro<> {
      co_await aio::gather(a, b, aio::sleep(1h));
    }(a, b));
    co_await aio::sleep(10ms);
    EXPECT_TRUE(outer.cancel("stop"));
    try {
      co_await outer;
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "stop");
    }
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(b.cancelled());
    EXPECT_EQ(outer.cancelling(), 1);
  }());
}

TEST(gather, cancelling_the_awaiter_raises_cancelled_even_with_return_exceptions) {
  aio_test::run([]() -> aio::coro<> {
    auto outer = aio::create_task([]() -> aio::coro<> {
      auto r = co_await aio::gather(aio::return_exceptions, value_after(1h, 1), fail_int_after(1h, "x"));
      (void)r;
      ADD_FAILURE() << "gather returned";
    }());
    co_await aio::sleep(10ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::cancelled_error);  // bpo-32684
  }());
}

TEST(gather, cancelling_the_awaiter_cancels_future_children_at_once) {
  aio_test::run([]() -> aio::coro<> {
    aio::future<int> f;
    auto outer = aio::create_task(
        [](aio::future<int> f) -> aio::coro<> { co_await aio::gather(f, aio::sleep(1h)); }(f));
    co_await aio::sleep(1ms);
    outer.cancel("now");
    try {
      co_await outer;
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "now");
    }
    EXPECT_TRUE(f.cancelled());
  }());
}

// The outcome is decided and the awaiter woken, but before it runs (same iteration) it is cancelled:
// the cancel wins over the results, as in asyncio.
TEST(gather, a_cancel_after_the_outcome_but_before_resuming_wins) {
  aio_test::run([]() -> aio::coro<> {
    const auto when = aio::get_running_loop().time() + 10ms;
    auto at = [](aio::clock::time_point when, int v) -> aio::coro<int> {
      co_await aio::sleep_until(when);
      co_return v;
    };
    auto outer = aio::create_task([](aio::coro<int> c) -> aio::coro<> {
      auto [v] = co_await aio::gather(std::move(c));
      (void)v;
      ADD_FAILURE() << "the results won over the cancel";
    }(at(when, 1)));
    co_await aio::sleep(1ms);  // the child's timer is older than the canceller's
    auto canceller = aio::create_task([](aio::clock::time_point when, aio::task<> victim) -> aio::coro<> {
      co_await aio::sleep_until(when);
      EXPECT_TRUE(victim.cancel());
    }(when, outer));
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    co_await canceller;
  }());
}

TEST(gather, a_child_that_swallows_the_cancel_still_ends_the_gather_cancelled) {
  aio_test::run([]() -> aio::coro<> {
    auto stubborn = []() -> aio::coro<int> {
      try {
        co_await aio::sleep(1h);
      } catch (const aio::cancelled_error&) {
      }
      co_await aio::sleep(5ms);
      co_return 7;
    };
    auto child = aio::create_task(stubborn());
    auto outer = aio::create_task([](aio::task<int> c) -> aio::coro<> { co_await aio::gather(c); }(child));
    co_await aio::sleep(1ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    EXPECT_EQ(child.result(), 7);
  }());
}

TEST(gather, a_child_cancelled_by_someone_else_makes_gather_raise_cancelled) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto victim = aio::create_task(value_after(1h, 9));
    auto canceller = aio::create_task([](aio::task<int> v) -> aio::coro<> {
      co_await aio::sleep(5ms);
      v.cancel("by someone else");
    }(victim));
    try {
      co_await aio::gather(victim, value_after(20ms, 1, log));
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "by someone else");
    }
    EXPECT_EQ(aio::current_task().cancelling(), 0);  // the awaiter itself was not cancelled
    co_await canceller;
    co_await aio::sleep(30ms);
    EXPECT_EQ(log->back(), "end 1");  // the sibling ran on
  }(&log));
}

TEST(gather, return_exceptions_gives_every_outcome) {
  aio_test::run([]() -> aio::coro<> {
    auto victim = aio::create_task(value_after(1h, 9));
    aio::get_running_loop().call_later(5ms, [victim]() mutable { victim.cancel("gone"); });
    auto [a, b, c, d] = co_await aio::gather(aio::return_exceptions, value_after(10ms, 1),
                                             fail_int_after(5ms, "bad"), victim, nothing());
    static_assert(std::is_same_v<decltype(d), aio::result<std::monostate>>);
    EXPECT_TRUE(a.has_value());
    EXPECT_EQ(a.value(), 1);
    EXPECT_FALSE(a.error());
    EXPECT_FALSE(b.has_value());
    EXPECT_EQ(what_of(b.error()), "bad");
    EXPECT_THROW((void)b.value(), std::runtime_error);
    EXPECT_FALSE(c.has_value());
    EXPECT_THROW((void)c.value(), aio::cancelled_error);
    EXPECT_TRUE(d.has_value());
  }());
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(gather, a_vector_of_coros_yields_a_vector_in_order) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<int>> jobs;
    for (int i = 0; i < 5; ++i) jobs.push_back(value_after(std::chrono::milliseconds(10 * (5 - i)), i));
    std::vector<int> out = co_await aio::gather(std::move(jobs));
    EXPECT_EQ(out, (std::vector<int>{0, 1, 2, 3, 4}));
  }());
}

TEST(gather, an_lvalue_vector_of_tasks_is_shared_and_of_coros_is_consumed) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<int>> tasks;
    tasks.push_back(aio::create_task(value_after(2ms, 1)));
    tasks.push_back(aio::create_task(value_after(1ms, 2)));
    auto out = co_await aio::gather(tasks);
    EXPECT_EQ(out, (std::vector<int>{1, 2}));
    EXPECT_EQ(tasks[0].result(), 1);  // still there
    std::vector<aio::coro<int>> coros;
    coros.push_back(value_after(1ms, 3));
    auto out2 = co_await aio::gather(coros);
    EXPECT_EQ(out2, (std::vector<int>{3}));
    EXPECT_FALSE(coros[0].valid());
  }());
}

TEST(gather, a_vector_with_return_exceptions) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<int>> jobs;
    jobs.push_back(value_after(1ms, 1));
    jobs.push_back(fail_int_after(1ms, "two"));
    auto out = co_await aio::gather(aio::return_exceptions, std::move(jobs));
    EXPECT_EQ(out.size(), 2U);
    EXPECT_EQ(out[0].value(), 1);
    EXPECT_EQ(what_of(out[1].error()), "two");
  }());
}

TEST(gather, a_vector_failure_propagates) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::coro<int>> jobs;
    jobs.push_back(value_after(10ms, 1));
    jobs.push_back(fail_int_after(1ms, "two"));
    EXPECT_THROW(co_await aio::gather(std::move(jobs)), std::runtime_error);
    co_await aio::sleep(20ms);
  }());
}

TEST(gather, done_children_complete_without_suspension) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(value_after(1ms, 4));
    co_await t;
    bool other_ran = false;
    auto spy = aio::create_task([](bool* f) -> aio::coro<> {
      *f = true;
      co_return;
    }(&other_ran));
    auto [a, b] = co_await aio::gather(t, t);  // the same task twice
    EXPECT_EQ(a + b, 8);
    EXPECT_FALSE(other_ran);
    co_await spy;
  }());
}

TEST(gather, a_pending_cancel_at_the_await_cancels_the_children) {
  aio_test::run([]() -> aio::coro<> {
    auto child = aio::create_task(value_after(1h, 1));
    auto outer = aio::create_task([](aio::task<int> c) -> aio::coro<> {
      aio::current_task().cancel("early");  // pending: delivered at the next suspension point
      co_await aio::gather(c);
    }(child));
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    EXPECT_TRUE(child.cancelled());  // asyncio cancels the awaited future, here the children
  }());
}

TEST(gather, move_only_results_are_moved_out_of_the_children) {
  aio_test::run([]() -> aio::coro<> {
    auto make = [](int v) -> aio::coro<std::unique_ptr<int>> {
      co_await aio::sleep(1ms);
      co_return std::make_unique<int>(v);
    };
    auto [p, q] = co_await aio::gather(make(1), make(2));
    EXPECT_EQ(*p + *q, 3);
    auto t = aio::create_task(make(3));
    auto [r] = co_await aio::gather(std::move(t));  // an rvalue task gives its value up
    EXPECT_EQ(*r, 3);
  }());
}

TEST(gather, nested_gathers) {
  aio_test::run([]() -> aio::coro<> {
    auto [inner, c] =
        co_await aio::gather(aio::gather(value_after(2ms, 1), value_after(1ms, 2)), value_after(3ms, 3));
    EXPECT_EQ(std::get<0>(inner), 1);
    EXPECT_EQ(std::get<1>(inner), 2);
    EXPECT_EQ(c, 3);
  }());
}

TEST(gather, an_empty_coro_is_refused_at_the_call) {
  aio_test::run([]() -> aio::coro<> {
    aio::coro<int> empty;
    EXPECT_THROW((void)aio::gather(std::move(empty)), aio::invalid_state_error);
    aio::task<int> no_task;
    EXPECT_THROW((void)aio::gather(no_task), aio::invalid_state_error);
    co_return;
  }());
}

TEST(gather, dropped_without_await_leaves_the_children_running) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    { auto g = aio::gather(value_after(5ms, 1, log)); }
    co_await aio::sleep(10ms);
    EXPECT_EQ(*log, (log_t{"start 1", "end 1"}));
  }(&log));
}

// A lock's acquire() cannot move: gather borrows it from the caller's frame. On an early failure the
// helper that waits in acquire() is cancelled and gather waits for it, so the awaiter is not destroyed
// while still queued in the lock (ASan would see it), and no grant is lost.
TEST(gather, a_borrowed_awaiter_is_stopped_before_the_failure_is_rethrown) {
  aio_test::run([]() -> aio::coro<> {
    aio::lock lk;
    co_await lk.acquire();
    try {
      co_await aio::gather(lk.acquire(), fail_after(5ms, "boom"));
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "boom");
    }
    EXPECT_TRUE(lk.locked());
    lk.release();
    co_await lk.acquire();  // nobody else is queued any more
    lk.release();
  }());
}

TEST(gather, a_borrowed_awaiter_yields_its_result) {
  aio_test::run([]() -> aio::coro<> {
    aio::lock lk;
    auto s = aio::sleep(2ms);  // an lvalue awaiter is borrowed too
    auto [held, slept, v] = co_await aio::gather(lk.acquire(), s, value_after(1ms, 5));
    (void)held;
    (void)slept;
    EXPECT_EQ(v, 5);
    EXPECT_TRUE(lk.locked());
    lk.release();
  }());
}

TEST(gather, cancelling_the_awaiter_with_a_borrowed_child) {
  aio_test::run([]() -> aio::coro<> {
    aio::lock lk;
    co_await lk.acquire();
    auto outer = aio::create_task(
        [](aio::lock* l) -> aio::coro<> { co_await aio::gather(l->acquire(), aio::sleep(1h)); }(&lk));
    co_await aio::sleep(1ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    lk.release();
    EXPECT_FALSE(lk.locked());  // the cancelled waiter did not take it
  }());
}

// An rvalue vector of tasks is taken over whole (its handles hold the gather's references); the values
// are still copied, so another handle to the same task still sees its value.
TEST(gather, an_rvalue_vector_of_tasks_is_taken_over) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<int>> tasks;
    tasks.push_back(aio::create_task(value_after(2ms, 1)));
    tasks.push_back(aio::create_task(value_after(1ms, 2)));
    const aio::task<int> kept = tasks[0];
    auto out = co_await aio::gather(std::move(tasks));
    EXPECT_EQ(out, (std::vector<int>{1, 2}));
    EXPECT_TRUE(tasks.empty());  // NOLINT(bugprone-use-after-move): what a moved-from vector holds
    EXPECT_EQ(kept.result(), 1);
  }());
}

TEST(gather, an_rvalue_vector_of_futures_or_untyped_handles) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::future<int>> futures(2);
    aio::future<int> first = futures[0];
    futures[1].set_result(5);
    auto g = aio::gather(aio::return_exceptions, std::move(futures));
    EXPECT_TRUE(futures.empty());  // NOLINT(bugprone-use-after-move)
    first.set_result(4);
    auto out = co_await g;
    EXPECT_EQ(out[0].value() + out[1].value(), 9);
    std::vector<aio::task_handle> handles{aio::create_task(nothing()), aio::create_task(nothing())};
    auto units = co_await aio::gather(std::move(handles));
    EXPECT_EQ(units.size(), 2U);
  }());
}

TEST(gather, cancelling_the_awaiter_of_a_vector_gather_cancels_every_child) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<int>> tasks{aio::create_task(value_after(1h, 1)),
                                      aio::create_task(value_after(1h, 2))};
    const auto copies = tasks;
    auto outer = aio::create_task([](std::vector<aio::task<int>> ts) -> aio::coro<> {
      co_await aio::gather(std::move(ts));
    }(std::move(tasks)));
    co_await aio::sleep(1ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::cancelled_error);
    EXPECT_TRUE(copies[0].cancelled());
    EXPECT_TRUE(copies[1].cancelled());
  }());
}

TEST(gather, a_vector_gather_dropped_without_await_leaves_the_children_running) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    {
      std::vector<aio::task<int>> tasks{aio::create_task(value_after(5ms, 1, log))};
      auto g = aio::gather(std::move(tasks));
    }
    co_await aio::sleep(10ms);
    EXPECT_EQ(*log, (log_t{"start 1", "end 1"}));
  }(&log));
}

TEST(gather, an_rvalue_vector_with_an_empty_handle_is_refused_and_left_as_it_was) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<int>> tasks;
    tasks.push_back(aio::create_task(value_after(1ms, 1)));
    tasks.push_back(aio::create_task(value_after(1ms, 2)));
    tasks.emplace_back();
    EXPECT_THROW((void)aio::gather(std::move(tasks)), aio::invalid_state_error);
    EXPECT_EQ(tasks.size(), 3U);  // NOLINT(bugprone-use-after-move): refused before taking it
    EXPECT_TRUE(tasks[0]);
    EXPECT_TRUE(tasks[1]);
    EXPECT_EQ(co_await tasks[0], 1);
    EXPECT_EQ(co_await tasks[1], 2);
  }());
}

aio::coro<> join_and_log(aio::task<int> t, log_t* log, std::string who) {
  co_await t;
  log->push_back(who);
}

// A child may have other awaiters: registered before the gather, after it, or several gathers. Every
// one is woken, in the order they began waiting (asyncio runs done callbacks in registration order).
TEST(gather, a_child_awaited_before_and_after_the_gather_wakes_everyone_in_order) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto t = aio::create_task(value_after(5ms, 7));
    auto a = aio::create_task(join_and_log(t, log, "A"));
    co_await aio::sleep(0ms);  // A waits on t now
    auto g = aio::gather(t);
    auto b = aio::create_task(join_and_log(t, log, "B"));
    co_await aio::sleep(0ms);  // B waits on t now
    auto [v] = co_await g;
    log->push_back("gather");
    EXPECT_EQ(v, 7);
    co_await a;
    co_await b;
    EXPECT_EQ(*log, (log_t{"A", "gather", "B"}));
  }(&log));
}

TEST(gather, a_first_gather_is_told_before_later_awaiters_and_callbacks) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto t = aio::create_task(value_after(5ms, 7));
    auto g = aio::gather(t);  // t had no waiter
    auto c = aio::create_task(join_and_log(t, log, "C"));
    co_await aio::sleep(0ms);
    t.add_done_callback([log] { log->push_back("callback"); });
    const auto removed = t.add_done_callback([log] { log->push_back("removed"); });
    EXPECT_EQ(t.remove_done_callback(removed), 1U);
    auto g2 = aio::gather(t, t);  // a second gather, the same task twice
    auto [v] = co_await g;
    log->push_back("gather");
    auto [v2, v3] = co_await g2;
    EXPECT_EQ(v + v2 + v3, 21);
    co_await c;
    co_await aio::sleep(0ms);
    EXPECT_EQ(*log, (log_t{"gather", "C", "callback"}));
  }(&log));
}

TEST(gather, dropped_before_a_later_awaiter_leaves_that_awaiter_waiting) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto t = aio::create_task(value_after(5ms, 7));
    auto c = aio::create_task(join_and_log(t, log, "C"));
    {
      auto g = aio::gather(t);   // told first, but dropped before t ends
      co_await aio::sleep(0ms);  // C waits on t behind it
    }
    auto d = aio::create_task(join_and_log(t, log, "D"));
    co_await c;
    co_await d;
    EXPECT_EQ(*log, (log_t{"C", "D"}));
  }(&log));
}

TEST(gather, a_vector_with_the_same_running_task_twice) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(value_after(2ms, 3));
    std::vector<aio::task<int>> tasks{t, t};
    auto out = co_await aio::gather(std::move(tasks));
    EXPECT_EQ(out, (std::vector<int>{3, 3}));
    EXPECT_EQ(t.result(), 3);
  }());
}

}  // namespace
