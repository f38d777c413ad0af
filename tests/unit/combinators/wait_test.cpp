// aio::wait, against CPython 3.13's wait(): {done, pending} in input order, the three return_when
// modes, timeout without exception, never cancels, refuses empty input.
#include "aio/combinators/wait.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

// gtest's ASSERT_* return, which a coroutine cannot: stop the coroutine instead.
#define CO_ASSERT(cond)                \
  if (!(cond)) {                       \
    ADD_FAILURE() << "failed: " #cond; \
    co_return;                         \
  }

namespace {

aio::coro<int> work(std::chrono::milliseconds d, int v) {
  co_await aio::sleep(d);
  co_return v;
}

aio::coro<int> fail_after(std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  throw std::runtime_error("failed");
}

std::vector<aio::task<int>> start(std::initializer_list<int> delays_ms) {
  std::vector<aio::task<int>> out;
  int v = 0;
  for (int d : delays_ms) out.push_back(aio::create_task(work(std::chrono::milliseconds(d), v++)));
  return out;
}

std::vector<int> values(const std::vector<aio::task<int>>& tasks) {
  std::vector<int> out;
  for (const auto& t : tasks) out.push_back(t.done() ? t.result() : -1);
  return out;
}

TEST(wait, all_completed_by_default) {
  aio_test::run([]() -> aio::coro<> {
    auto tasks = start({30, 10, 20});
    const auto t0 = aio::get_running_loop().time();
    auto [done, pending] = co_await aio::wait(tasks);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(t0), 0.030);
    EXPECT_EQ(values(done), (std::vector<int>{0, 1, 2}));  // input order, not completion order
    EXPECT_TRUE(pending.empty());
  }());
}

TEST(wait, first_completed_returns_at_the_first_and_cancels_nothing) {
  aio_test::run([]() -> aio::coro<> {
    auto tasks = start({30, 10, 20});
    const auto t0 = aio::get_running_loop().time();
    auto r = co_await aio::wait(tasks, aio::first_completed);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(t0), 0.010);
    EXPECT_EQ(values(r.done), (std::vector<int>{1}));
    CO_ASSERT(r.pending.size() == 2U);
    EXPECT_EQ(r.pending[0], aio::task_handle(tasks[0]));
    EXPECT_EQ(r.pending[1], aio::task_handle(tasks[2]));
    auto r2 = co_await aio::wait(r.pending);
    EXPECT_EQ(values(r2.done), (std::vector<int>{0, 2}));
  }());
}

TEST(wait, first_exception_returns_at_a_failure) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<int>> tasks{aio::create_task(work(30ms, 0)), aio::create_task(fail_after(10ms)),
                                      aio::create_task(work(5ms, 2))};
    auto [done, pending] = co_await aio::wait(tasks, aio::first_exception);
    EXPECT_EQ(done.size(), 2U);  // the failure and what finished before it
    EXPECT_EQ(pending.size(), 1U);
    EXPECT_FALSE(tasks[0].cancelled());
    co_await aio::wait(pending);
  }());
  EXPECT_TRUE(aio_test::reports().empty()) << "wait(first_exception) looked at the failure";
}

TEST(wait, first_exception_does_not_count_a_cancellation_and_waits_for_all_otherwise) {
  aio_test::run([]() -> aio::coro<> {
    auto tasks = start({20, 1000});
    aio::get_running_loop().call_later(5ms, [t = tasks[1]]() mutable { t.cancel(); });
    auto [done, pending] = co_await aio::wait(tasks, aio::first_exception);
    EXPECT_EQ(done.size(), 2U);
    EXPECT_TRUE(pending.empty());
    EXPECT_TRUE(tasks[1].cancelled());
  }());
}

TEST(wait, a_timeout_returns_what_is_pending_without_throwing_or_cancelling) {
  aio_test::run([]() -> aio::coro<> {
    auto tasks = start({10, 1000});
    const auto t0 = aio::get_running_loop().time();
    auto [done, pending] = co_await aio::wait(tasks, 100ms);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(t0), 0.100);
    EXPECT_EQ(done.size(), 1U);
    CO_ASSERT(pending.size() == 1U);
    EXPECT_FALSE(pending[0].cancelled());
    EXPECT_EQ(aio::get_running_loop().pending_timers(), 1U);  // only the task's own sleep
    co_await pending[0];
    // Everything done before the timeout: the timer is withdrawn.
    auto r = co_await aio::wait(tasks, aio::first_completed, 1h);
    EXPECT_EQ(r.done.size(), 2U);
    EXPECT_EQ(aio::get_running_loop().pending_timers(), 0U);
  }());
}

TEST(wait, empty_input_and_empty_handles_are_refused) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::task<int>> none;
    EXPECT_THROW((void)aio::wait(none), std::invalid_argument);
    std::vector<aio::task<int>> holes(1);
    EXPECT_THROW((void)aio::wait(holes), aio::invalid_state_error);
    co_return;
  }());
}

TEST(wait, cancelling_the_awaiter_cancels_no_task) {
  aio_test::run([]() -> aio::coro<> {
    auto tasks = start({20, 30});
    auto waiter = aio::create_task(
        [](std::vector<aio::task<int>> ts) -> aio::coro<> { co_await aio::wait(ts); }(tasks));
    co_await aio::sleep(5ms);
    waiter.cancel();
    EXPECT_THROW(co_await waiter, aio::cancelled_error);
    EXPECT_FALSE(tasks[0].done());
    auto [done, pending] = co_await aio::wait(tasks);
    EXPECT_EQ(values(done), (std::vector<int>{0, 1}));
  }());
}

TEST(wait, already_done_still_yields_once) {
  aio_test::run([]() -> aio::coro<> {
    auto tasks = start({0});
    co_await tasks[0];
    bool other_ran = false;
    auto spy = aio::create_task([](bool* f) -> aio::coro<> {
      *f = true;
      co_return;
    }(&other_ran));
    auto r = co_await aio::wait(tasks, aio::first_completed);
    EXPECT_EQ(r.done.size(), 1U);
    EXPECT_TRUE(other_ran);  // asyncio's wait always yields to the loop
    co_await spy;
  }());
}

TEST(wait, futures_and_task_handles) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<aio::future<int>> futures(2);
    aio::get_running_loop().call_later(5ms, [f = futures[1]]() mutable { f.set_result(1); });
    auto [done, pending] = co_await aio::wait(futures, aio::first_completed);
    EXPECT_EQ(done.size(), 1U);
    EXPECT_EQ(done[0].result(), 1);
    EXPECT_EQ(pending.size(), 1U);
    pending[0].cancel();
    std::vector<aio::task_handle> handles{aio::task_handle(aio::create_task(work(1ms, 0)))};
    auto r = co_await aio::wait(handles);
    EXPECT_TRUE(r.done[0].done());
  }());
}

}  // namespace
