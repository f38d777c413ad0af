// aio::to_thread and aio::run_in_executor (asyncio.to_thread, loop.run_in_executor): results and
// exceptions come back to the loop, arguments are decay-copied, the worker's writes are visible,
// cancellation is prompt while the thread finishes in the background, virtual time waits for threads.
// Runs under TSan (the file name has "threads").
#include "aio/executor/to_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aio/combinators/gather.hpp"
#include "aio/combinators/wait_for.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

int add(int a, int b) { return a + b; }

struct custom_error {
  int code;
};

TEST(to_thread, returns_the_result_from_another_thread) {
  aio_test::run([]() -> aio::coro<> {
    const auto loop_thread = std::this_thread::get_id();
    EXPECT_EQ(co_await aio::to_thread(add, 2, 3), 5);
    auto where = co_await aio::to_thread([] { return std::this_thread::get_id(); });
    EXPECT_NE(where, loop_thread);
    int calls = 0;
    co_await aio::to_thread([&calls] { ++calls; });  // void
    EXPECT_EQ(calls, 1);  // the worker's write is visible here (TSan checks the ordering)
  }());
}

TEST(to_thread, arguments_are_decay_copied_unless_std_ref) {
  aio_test::run([]() -> aio::coro<> {
    std::string s = "original";
    auto op = aio::to_thread([](const std::string& copy) { return copy + "!"; }, s);  // a copy is taken here
    s = "changed";
    EXPECT_EQ(co_await std::move(op), "original!");
    std::vector<int> out;
    co_await aio::to_thread([](std::vector<int>& v) { v.assign({1, 2, 3}); }, std::ref(out));
    EXPECT_EQ(out, (std::vector<int>{1, 2, 3}));
    auto p = co_await aio::to_thread([](std::unique_ptr<int> q) { return std::make_unique<int>(*q * 2); },
                                     std::make_unique<int>(21));
    EXPECT_EQ(*p, 42);
  }());
}

TEST(to_thread, exceptions_are_rethrown_on_the_loop) {
  aio_test::run([]() -> aio::coro<> {
    EXPECT_THROW(co_await aio::to_thread([]() -> int { throw std::out_of_range("worker"); }),
                 std::out_of_range);
    try {
      co_await aio::to_thread([] { throw custom_error{7}; });
      ADD_FAILURE() << "no exception";
    } catch (const custom_error& e) {
      EXPECT_EQ(e.code, 7);
    }
  }());
}

TEST(to_thread, many_calls_run_concurrently) {
  aio_test::run([]() -> aio::coro<> {
    std::vector<decltype(aio::to_thread(add, 0, 0))> calls;
    for (int i = 0; i < 8; ++i) calls.push_back(aio::to_thread(add, i, i));
    std::vector<int> out = co_await aio::gather(std::move(calls));
    EXPECT_EQ(out, (std::vector<int>{0, 2, 4, 6, 8, 10, 12, 14}));
  }());
}

// The worker blocks until the test lets it go; the awaiter is cancelled meanwhile and must get
// cancelled_error at once. The late result is dropped and the loop closes cleanly.
TEST(to_thread, cancelling_the_awaiter_is_prompt_and_the_thread_finishes_in_the_background) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  aio_test::run([](std::shared_future<void> gate, std::promise<void>* release, std::atomic<bool>* started,
                   std::atomic<bool>* finished) -> aio::coro<> {
    auto t = aio::create_task([](std::shared_future<void> gate, std::atomic<bool>* started,
                                 std::atomic<bool>* finished) -> aio::coro<int> {
      // Named first (g++ 12: docs/design/compilers.md).
      auto blocked = [gate, started, finished] {
        started->store(true);
        gate.wait();
        finished->store(true);
        return 1;
      };
      co_return co_await aio::to_thread(std::move(blocked));
    }(gate, started, finished));
    // Running, not merely submitted: a call cancelled before a worker starts it never runs.
    for (int i = 0; i < 5000 && !started->load(); ++i) co_await aio::sleep(1ms);
    EXPECT_TRUE(started->load());
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_FALSE(finished->load());  // delivered while the thread still works
    release->set_value();
  }(gate, &release, &started, &finished));
  EXPECT_TRUE(finished.load());  // close() waited for the default executor
}

TEST(run_in_executor, a_call_queued_behind_a_busy_worker_and_cancelled_never_runs) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> started{false};
  std::atomic<int> second_calls{0};
  aio::thread_pool pool(1);
  aio_test::run([](aio::thread_pool* pool, std::shared_future<void> gate, std::promise<void>* release,
                   std::atomic<bool>* started, std::atomic<int>* second_calls) -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    auto blocker = [gate, started] {
      started->store(true);
      gate.wait();
    };
    auto first = loop.run_in_executor(*pool, std::move(blocker));  // occupies the only worker
    auto t = aio::create_task([](aio::thread_pool* pool, std::atomic<int>* calls) -> aio::coro<> {
      auto counted = [calls] { ++*calls; };
      co_await aio::run_in_executor(aio::get_running_loop(), *pool, std::move(counted));
    }(pool, second_calls));
    for (int i = 0; i < 5000 && !started->load(); ++i) co_await aio::sleep(1ms);
    co_await aio::sleep(0s);  // t has submitted behind the blocker
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    release->set_value();
    co_await std::move(first);
    co_await loop.run_in_executor(*pool, [] {});  // the worker has passed the cancelled job
    EXPECT_EQ(second_calls->load(), 0);
  }(&pool, gate, &release, &started, &second_calls));
}

/// An executor that keeps its jobs until the test runs them.
class manual_executor final : public aio::executor {
 public:
  void submit(std::unique_ptr<job> j) override { m_jobs.push_back(std::move(j)); }
  void run_all() {
    for (auto& j : m_jobs) j->run();
    m_jobs.clear();
  }

 private:
  std::vector<std::unique_ptr<job>> m_jobs;
};

// The outcome is back on the loop and the awaiter woken, but a cancel reaches it before it runs (the
// completion and the cancel run in the same iteration, in that order): the cancel wins and the result
// is dropped, as in asyncio.
TEST(run_in_executor, a_cancel_after_the_result_arrived_but_before_resuming_wins) {
  manual_executor ex;
  aio_test::run([](manual_executor* ex) -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    auto t = aio::create_task([](manual_executor* ex) -> aio::coro<int> {
      co_return co_await aio::run_in_executor(aio::get_running_loop(), *ex, [] { return 5; });
    }(ex));
    co_await aio::sleep(0s);  // t submitted its call and is parked
    ex->run_all();            // the completion is posted (taken at the start of the next iteration)
    loop.call_at(loop.time(), [t]() mutable { EXPECT_TRUE(t.cancel()); });  // due in that iteration
    EXPECT_THROW(co_await t, aio::cancelled_error);
  }(&ex));
}

TEST(run_in_executor, a_cancel_before_the_result_arrives_drops_it) {
  manual_executor ex;
  aio_test::run([](manual_executor* ex) -> aio::coro<> {
    auto t = aio::create_task([](manual_executor* ex) -> aio::coro<int> {
      co_return co_await aio::run_in_executor(aio::get_running_loop(), *ex, [] { return 5; });
    }(ex));
    co_await aio::sleep(0s);
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    ex->run_all();  // the call runs after its awaiter left: the outcome is dropped
    co_await aio::sleep(0s);
    co_await aio::sleep(0s);
  }(&ex));
}

TEST(to_thread, a_pending_cancel_submits_nothing) {
  aio_test::run([]() -> aio::coro<> {
    std::atomic<int> calls{0};
    aio::current_task().cancel();
    EXPECT_THROW(co_await aio::to_thread([&calls] { ++calls; }), aio::cancelled_error);
    EXPECT_EQ(calls.load(), 0);
  }());
}

// Under virtual time the clock waits for the thread: a one-hour sleeper must not wake up because
// the loop was idle while a worker slept for 30 ms of real time.
TEST(to_thread, virtual_time_does_not_jump_while_a_thread_works) {
  aio_test::run([]() -> aio::coro<> {
    auto sleeper = aio::create_task([]() -> aio::coro<> { co_await aio::sleep(1h); }());
    const auto t0 = aio::get_running_loop().time();
    co_await aio::to_thread([] { std::this_thread::sleep_for(30ms); });
    EXPECT_LT(aio_test::seconds_since(t0), 10.0);
    EXPECT_FALSE(sleeper.done());
    sleeper.cancel();
    EXPECT_THROW(co_await sleeper, aio::cancelled_error);
  }());
}

TEST(to_thread, a_deadline_cancels_the_wait_not_the_thread) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  aio_test::run([](std::shared_future<void> gate, std::promise<void>* release) -> aio::coro<> {
    auto blocked = [gate] { gate.wait(); };  // named: see above
    EXPECT_THROW(co_await aio::wait_for(aio::to_thread(std::move(blocked)), 10ms), aio::timeout_error);
    release->set_value();
  }(gate, &release));
}

TEST(run_in_executor, runs_on_the_given_executor) {
  aio::thread_pool pool(1);
  aio_test::run([](aio::thread_pool* pool) -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    auto a = co_await aio::run_in_executor(loop, *pool, [] { return std::this_thread::get_id(); });
    auto b = co_await aio::run_in_executor(loop, *pool, [] { return std::this_thread::get_id(); });
    EXPECT_EQ(a, b);  // one worker
    EXPECT_NE(a, std::this_thread::get_id());
    EXPECT_EQ(co_await aio::run_in_executor(loop, *pool, add, 20, 22), 42);
  }(&pool));
}

TEST(run_in_executor, an_executor_that_is_shut_down_reports_the_dropped_call) {
  aio::thread_pool pool(1);
  pool.shutdown();
  aio_test::run([](aio::thread_pool* pool) -> aio::coro<> {
    bool ran = false;
    EXPECT_THROW(co_await aio::run_in_executor(aio::get_running_loop(), *pool, [&ran] { ran = true; }),
                 std::runtime_error);
    EXPECT_FALSE(ran);
  }(&pool));
}

/// An executor that drops what it is given without running it.
class dropping_executor final : public aio::executor {
 public:
  void submit(std::unique_ptr<job> j) override { j.reset(); }
};

TEST(run_in_executor, a_dropped_job_completes_the_await_with_an_error) {
  dropping_executor ex;
  aio_test::run([](dropping_executor* ex) -> aio::coro<> {
    EXPECT_THROW(co_await aio::run_in_executor(aio::get_running_loop(), *ex, [] { return 1; }),
                 std::runtime_error);
  }(&ex));
}

}  // namespace

namespace {
// API.md spells it as a loop member: loop.run_in_executor(executor, f).
TEST(run_in_executor, the_loop_member_runs_on_the_given_pool) {
  aio::thread_pool pool(1);
  const int got = aio_test::run(
      [](aio::thread_pool* pool) -> aio::coro<int> {
        auto work = [](int a, int b) { return a * b; };
        co_return co_await aio::get_running_loop().run_in_executor(*pool, work, 6, 7);
      }(&pool),
      {.clock = aio::real_clock});
  EXPECT_EQ(got, 42);
}
}  // namespace
