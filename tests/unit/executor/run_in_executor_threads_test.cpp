// loop.run_in_executor submits at the call, as asyncio's returns a future already running: the work
// starts before anyone awaits it, several calls run at once, a cancelled call that has not started
// never runs, a running one finishes in the background with its result dropped, and an unawaited
// result can be dropped. Runs under TSan (the file name has "threads").
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aio/combinators/gather.hpp"
#include "aio/executor/to_thread.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

/// An executor that keeps its jobs until the test runs them (on the loop's thread).
class manual_executor final : public aio::executor {
 public:
  void submit(std::unique_ptr<job> j) override { m_jobs.push_back(std::move(j)); }
  [[nodiscard]] std::size_t queued() const { return m_jobs.size(); }
  void run_all() {
    for (auto& j : m_jobs) j->run();
    m_jobs.clear();
  }

 private:
  std::vector<std::unique_ptr<job>> m_jobs;
};

/// Sleeps on the loop until `flag` is set (the clock follows real time while a thread works).
aio::coro<bool> wait_until_set(const std::atomic<bool>* flag) {
  for (int i = 0; i < 5000 && !flag->load(); ++i) co_await aio::sleep(1ms);
  co_return flag->load();
}

TEST(run_in_executor, submits_at_the_call_before_any_await) {
  aio::thread_pool pool(1);
  aio_test::run([](aio::thread_pool* pool) -> aio::coro<> {
    std::atomic<bool> ran{false};
    auto call = aio::get_running_loop().run_in_executor(*pool, [&ran] {
      ran.store(true);
      return std::string(100, 'x');  // heap-allocated: ASan sees it if the result leaked
    });
    EXPECT_TRUE(co_await wait_until_set(&ran));  // the thread ran it while nobody awaited
    EXPECT_EQ(co_await std::move(call), std::string(100, 'x'));
  }(&pool));
}

TEST(run_in_executor, an_outcome_that_arrived_before_the_await_is_taken_without_suspending) {
  manual_executor ex;
  aio_test::run([](manual_executor* ex) -> aio::coro<> {
    auto call = aio::get_running_loop().run_in_executor(*ex, [] { return 7; });
    EXPECT_EQ(ex->queued(), 1U);  // submitted by the call itself
    ex->run_all();                // posts the completion, which runs on a later iteration
    for (int i = 0; i < 3 && !call.await_ready(); ++i) co_await aio::sleep(0s);
    EXPECT_TRUE(call.await_ready());
    EXPECT_EQ(co_await std::move(call), 7);
  }(&ex));
}

// Each call waits until both are running: they only return true if the pool runs them at once,
// which needs both submitted before either is awaited.
TEST(run_in_executor, two_calls_run_concurrently_with_each_other_and_the_caller) {
  aio::thread_pool pool(2);
  aio_test::run([](aio::thread_pool* pool) -> aio::coro<> {
    std::atomic<int> running{0};
    auto both_running = [&running] {
      ++running;
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      while (running.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      return running.load() == 2;
    };
    aio::event_loop& loop = aio::get_running_loop();
    auto a = loop.run_in_executor(*pool, both_running);
    auto b = loop.run_in_executor(*pool, both_running);
    EXPECT_TRUE(co_await std::move(a));
    EXPECT_TRUE(co_await std::move(b));
  }(&pool));
}

TEST(run_in_executor, calls_can_be_gathered) {
  aio::thread_pool pool(2);
  aio_test::run([](aio::thread_pool* pool) -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    auto square = [](int i) { return i * i; };
    std::vector<decltype(loop.run_in_executor(*pool, square, 0))> calls;  // unevaluated: submits nothing
    for (int i = 0; i < 6; ++i) calls.push_back(loop.run_in_executor(*pool, square, i));
    std::vector<int> out = co_await aio::gather(std::move(calls));
    EXPECT_EQ(out, (std::vector<int>{0, 1, 4, 9, 16, 25}));
  }(&pool));
}

TEST(run_in_executor, exceptions_propagate_to_the_awaiter) {
  aio::thread_pool pool(1);
  aio_test::run([](aio::thread_pool* pool) -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    std::atomic<bool> threw{false};
    auto call = loop.run_in_executor(*pool, [&threw]() -> int {
      threw.store(true);
      throw std::out_of_range("worker");
    });
    EXPECT_TRUE(co_await wait_until_set(&threw));
    co_await aio::sleep(10ms);  // the failure is back on the loop before the await, or soon after
    EXPECT_THROW(co_await std::move(call), std::out_of_range);
    EXPECT_THROW(co_await loop.run_in_executor(*pool, [] { throw std::logic_error("again"); }),
                 std::logic_error);
  }(&pool));
}

// asyncio: cancelling the awaiting task cancels the future, which cancels the concurrent future; a
// call no worker has picked up yet is then never run.
TEST(run_in_executor, a_call_cancelled_before_it_started_never_runs) {
  manual_executor ex;
  aio_test::run([](manual_executor* ex) -> aio::coro<> {
    std::atomic<int> calls{0};
    auto t = aio::create_task([](manual_executor* ex, std::atomic<int>* calls) -> aio::coro<int> {
      co_return co_await aio::get_running_loop().run_in_executor(*ex, [calls] { return ++*calls; });
    }(ex, &calls));
    co_await aio::sleep(0s);  // t submitted and is parked
    EXPECT_EQ(ex->queued(), 1U);
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    ex->run_all();  // a worker picks the job up only now
    co_await aio::sleep(0s);
    EXPECT_EQ(calls.load(), 0);
  }(&ex));
}

TEST(run_in_executor, a_cancel_pending_at_the_await_cancels_the_call) {
  manual_executor ex;
  aio_test::run([](manual_executor* ex) -> aio::coro<> {
    std::atomic<int> calls{0};
    auto call = aio::get_running_loop().run_in_executor(*ex, [&calls] { ++calls; });
    aio::current_task().cancel();
    EXPECT_THROW(co_await call, aio::cancelled_error);
    EXPECT_EQ(aio::current_task().uncancel(), 0);
    ex->run_all();
    co_await aio::sleep(0s);
    EXPECT_EQ(calls.load(), 0);
    EXPECT_THROW(co_await std::move(call), aio::cancelled_error);  // stays cancelled
  }(&ex));
}

// The call is running when its awaiter is cancelled: the awaiter leaves at once, the call finishes
// on its thread and its (heap-allocated) result is dropped with the shared state: ASan checks the leak.
TEST(run_in_executor, a_call_cancelled_while_running_finishes_and_its_result_is_dropped) {
  aio::thread_pool pool(1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  aio_test::run([](aio::thread_pool* pool, std::shared_future<void> gate, std::promise<void>* release,
                   std::atomic<bool>* started, std::atomic<bool>* finished) -> aio::coro<> {
    auto blocked = [gate, started, finished] {
      started->store(true);
      gate.wait();
      finished->store(true);
      return std::make_unique<std::string>(100, 'r');
    };
    auto t = aio::create_task([](aio::thread_pool* pool, decltype(blocked) f) -> aio::coro<std::size_t> {
      auto r = co_await aio::get_running_loop().run_in_executor(*pool, std::move(f));
      co_return r->size();
    }(pool, std::move(blocked)));
    EXPECT_TRUE(co_await wait_until_set(started));
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_FALSE(finished->load());  // delivered while the thread still works
    release->set_value();
    // The pool has one worker, so this runs after the dropped call posted its completion: the loop
    // must outlive that post.
    co_await aio::get_running_loop().run_in_executor(*pool, [] {});
    EXPECT_TRUE(finished->load());
  }(&pool, gate, &release, &started, &finished));
  pool.shutdown();
  EXPECT_TRUE(finished.load());
}

TEST(run_in_executor, a_dropped_result_still_runs_and_is_freed) {
  aio::thread_pool pool(1);
  manual_executor manual;
  std::atomic<bool> ran{false};
  aio_test::run([](aio::thread_pool* pool, manual_executor* manual, std::atomic<bool>* ran) -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    {
      auto dropped = loop.run_in_executor(*pool, [ran] {
        ran->store(true);
        return std::make_unique<std::string>(100, 'd');
      });
    }
    EXPECT_TRUE(co_await wait_until_set(ran));
    {
      // Dropped before any worker took it: the job still completes into the freed-by-then state.
      auto dropped = loop.run_in_executor(*manual, [] { return std::make_unique<std::string>(100, 'm'); });
    }
    manual->run_all();
    co_await aio::sleep(0s);
    // One worker: this runs after the first dropped call posted its completion (the loop must outlive it).
    co_await loop.run_in_executor(*pool, [] {});
  }(&pool, &manual, &ran));
  pool.shutdown();
}

}  // namespace
