// Cross-thread parts of the loop (run under TSan by the test command).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(event_loop_threads, call_soon_threadsafe_wakes_a_blocked_loop) {
  aio_test::run(
      []() -> aio::coro<> {
        auto& loop = aio::get_running_loop();
        aio::future<int> got;
        std::thread other([&loop, &got] {
          std::this_thread::sleep_for(20ms);
          loop.call_soon_threadsafe([&got] { got.set_result(42); });
        });
        EXPECT_EQ(co_await got, 42);  // the loop blocks in epoll until the eventfd wakes it
        other.join();
      }(),
      {.clock = aio::real_clock});
}

TEST(event_loop_threads, many_threads_submit_without_losing_a_callback) {
  aio_test::run(
      []() -> aio::coro<> {
        auto& loop = aio::get_running_loop();
        constexpr int k_threads = 4;
        constexpr int k_each = 2000;
        int count = 0;  // touched on the loop thread only
        aio::future<> all;
        std::vector<std::thread> threads;
        for (int t = 0; t < k_threads; ++t) {
          threads.emplace_back([&loop, &count, &all] {
            for (int i = 0; i < k_each; ++i) {
              loop.call_soon_threadsafe([&count, &all] {
                if (++count == k_threads * k_each) all.set_result();
              });
            }
          });
        }
        co_await all;
        for (auto& th : threads) th.join();
        EXPECT_EQ(count, k_threads * k_each);
      }(),
      {.clock = aio::real_clock});
}

TEST(event_loop_threads, call_soon_threadsafe_on_a_closed_loop_throws) {
  aio::event_loop loop;
  loop.close();
  std::atomic<bool> threw{false};
  std::thread other([&loop, &threw] {
    try {
      loop.call_soon_threadsafe([] {});
    } catch (const std::runtime_error&) {
      threw = true;
    }
  });
  other.join();
  EXPECT_TRUE(threw);
}

TEST(thread_pool_threads, runs_jobs_and_joins_on_shutdown) {
  aio::thread_pool pool(3);
  std::atomic<int> done{0};
  struct job final : aio::executor::job {
    explicit job(std::atomic<int>* d) : m_done(d) {}
    void run() noexcept override { m_done->fetch_add(1); }
    std::atomic<int>* m_done;
  };
  for (int i = 0; i < 100; ++i) pool.submit(std::make_unique<job>(&done));
  pool.shutdown(true);
  EXPECT_EQ(done.load(), 100);
  EXPECT_THROW(pool.submit(std::make_unique<job>(&done)), std::runtime_error);
  EXPECT_EQ(pool.max_workers(), 3U);
}

}  // namespace
