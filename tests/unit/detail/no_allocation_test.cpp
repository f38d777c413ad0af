// "No heap allocation per co_await of a ready or suspended primitive": counted, not assumed.
// This binary replaces the global operator new to count allocations made while tasks await.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "aio/aio.hpp"
#include "test_support.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*n*/) noexcept { std::free(p); }

using namespace std::chrono_literals;

namespace {

constexpr int k_rounds = 1000;

TEST(no_allocation, awaiting_sleep_timers_done_tasks_and_futures) {
  aio_test::run([]() -> aio::coro<> {
    auto done = aio::create_task([]() -> aio::coro<int> { co_return 1; }());
    co_await done;
    aio::future<int> fut;
    fut.set_result(2);
    co_await aio::sleep(1ms);  // warm the timer heap's storage
    const long before = g_allocations.load();
    long sum = 0;
    for (int i = 0; i < k_rounds; ++i) {
      co_await aio::sleep(0s);   // suspended: through the ready queue
      co_await aio::sleep(1ms);  // suspended on a timer
      sum += co_await done;      // ready
      sum += co_await fut;       // ready
    }
    EXPECT_EQ(g_allocations.load() - before, 0) << "allocations during " << k_rounds << " rounds";
    EXPECT_EQ(sum, 3 * k_rounds);
  }());
}

TEST(no_allocation, awaiting_a_pending_task_wakes_without_allocating) {
  aio_test::run([]() -> aio::coro<> {
    auto waiter = aio::create_task([]() -> aio::coro<> {
      for (int i = 0; i < k_rounds; ++i) co_await aio::sleep(0s);
    }());
    co_await aio::sleep(0s);
    const long before = g_allocations.load();
    co_await waiter;  // parked on the task's wait list, woken by its completion
    EXPECT_EQ(g_allocations.load() - before, 0);
  }());
}

}  // namespace
