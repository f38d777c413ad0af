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

namespace {

// The primitives' awaiters live in the awaiting frame: contended waits allocate nothing.
TEST(no_allocation, contended_lock_event_semaphore_and_queue) {
  aio_test::run([]() -> aio::coro<> {
    aio::lock mutex;
    aio::semaphore permits(1);
    aio::queue<int> ping(1);
    aio::queue<int> pong(1);
    // The partner task: bounces items back and competes for the lock and the semaphore.
    auto partner = aio::create_task(
        [](aio::lock* m, aio::semaphore* s, aio::queue<int>* in, aio::queue<int>* out) -> aio::coro<> {
          for (;;) {
            const int v = co_await in->get();
            if (v < 0) co_return;
            co_await m->acquire();
            co_await s->acquire();
            co_await aio::sleep(0s);
            s->release();
            m->release();
            co_await out->put(v);
          }
        }(&mutex, &permits, &ping, &pong));
    co_await ping.put(0);  // warm up: the partner parks once on everything
    (void)co_await pong.get();
    const long before = g_allocations.load();
    long sum = 0;
    for (int i = 0; i < k_rounds; ++i) {
      co_await ping.put(1);
      co_await aio::sleep(0s);   // the partner takes the lock and the permit
      co_await mutex.acquire();  // contended: parks until the partner releases
      co_await permits.acquire();
      permits.release();
      mutex.release();
      sum += co_await pong.get();
      aio::event ready;
      ready.set();
      co_await ready.wait();  // ready
    }
    EXPECT_EQ(g_allocations.load() - before, 0) << "allocations during " << k_rounds << " rounds";
    EXPECT_EQ(sum, k_rounds);
    co_await ping.put(-1);
    co_await partner;
  }());
}

}  // namespace
