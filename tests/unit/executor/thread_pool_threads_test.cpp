// aio::thread_pool, the default executor behind to_thread (concurrent.futures.ThreadPoolExecutor): a
// submission claims an idle worker or starts a thread, up to max_workers, so that a burst of
// submissions runs at once instead of queueing behind one idle worker. Jobs prove they overlap by
// meeting at a rendezvous (no timing assumptions). Runs under TSan (the file name has "threads").
#include "aio/executor/thread_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

/// `n` jobs meet here: each arrives and waits (at most `patience`) until all `n` have arrived.
class rendezvous {
 public:
  explicit rendezvous(int n) : m_n(n) {}
  /// True when all `n` met, i.e. they were running at the same time.
  bool arrive_and_wait(std::chrono::milliseconds patience) {
    std::unique_lock<std::mutex> lock(m_mutex);
    ++m_arrived;
    m_cv.notify_all();
    return m_cv.wait_for(lock, patience, [this] { return m_arrived >= m_n; });
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_arrived = 0;
  int m_n;
};

TEST(thread_pool, a_burst_beside_a_running_job_runs_at_once) {
  // CPython: one to_thread running, then four more at once take 2 units of time, not 5: each of the
  // four starts its own thread.
  aio_test::run([]() -> aio::coro<> {
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::atomic<bool> first_started{false};
    auto& loop = aio::get_running_loop();
    auto first = loop.run_in_executor(loop.default_executor(), [gate, &first_started] {
      first_started = true;
      return gate.wait_for(30s) == std::future_status::ready;
    });
    while (!first_started) co_await aio::sleep(1ms);

    rendezvous four(4);
    auto meet = [&four] { return four.arrive_and_wait(10s); };
    auto [a, b, c, d] = co_await aio::gather(aio::to_thread(meet), aio::to_thread(meet), aio::to_thread(meet),
                                             aio::to_thread(meet));
    EXPECT_TRUE(a && b && c && d) << "the four calls did not all run at once";
    release.set_value();
    EXPECT_TRUE(co_await std::move(first));
  }());
}

TEST(thread_pool, a_burst_claims_the_idle_worker_and_starts_threads_for_the_rest) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    co_await aio::to_thread([] {});  // one worker...
    // ...given the moment it needs to go back to waiting after posting its result (if it were not
    // idle yet, each call below would start a thread and the test would prove nothing).
    std::this_thread::sleep_for(100ms);
    rendezvous four(4);
    auto meet = [&four] { return four.arrive_and_wait(10s); };
    auto a = loop.run_in_executor(loop.default_executor(), meet);
    auto b = loop.run_in_executor(loop.default_executor(), meet);
    auto c = loop.run_in_executor(loop.default_executor(), meet);
    auto d = loop.run_in_executor(loop.default_executor(), meet);
    EXPECT_TRUE(co_await std::move(a));
    EXPECT_TRUE(co_await std::move(b));
    EXPECT_TRUE(co_await std::move(c));
    EXPECT_TRUE(co_await std::move(d));
  }());
}

TEST(thread_pool, max_workers_bounds_how_many_run_at_once) {
  aio::thread_pool pool(2);
  EXPECT_EQ(pool.max_workers(), 2U);
  aio_test::run([](aio::thread_pool* pool) -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    rendezvous three(3);
    auto job = [&] {
      const int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      const bool met = three.arrive_and_wait(1s);  // a third can only come after one leaves
      --running;
      return met ? 1 : 0;
    };
    std::vector<decltype(loop.run_in_executor(*pool, job))> calls;  // unevaluated: submits nothing
    for (int i = 0; i < 3; ++i) calls.push_back(loop.run_in_executor(*pool, job));
    std::vector<int> met = co_await aio::gather(std::move(calls));
    EXPECT_EQ(most.load(), 2) << "not exactly two jobs ran at once on a pool of two";
    EXPECT_EQ(met.size(), 3U);  // the third ran once a worker was free
  }(&pool));
}

TEST(thread_pool, default_max_workers_is_pythons) {
  aio::thread_pool pool;
  EXPECT_EQ(pool.max_workers(), std::min<std::size_t>(32, std::thread::hardware_concurrency() + 4));
}

}  // namespace
