// docs/guide/sync.md: the guide's blocks, completed and run on virtual time (aio_test::run checks
// that nothing leaked), with what the guide says they do checked.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

// ---- Event
aio::coro<> waiter(aio::event& event) {
  co_await event.wait();  // returns at once if already set
  std::cout << "go!\n";
}
// elsewhere: event.set();   // wakes every waiter, in order

aio::coro<> event_main() {
  aio::event event;
  auto a = aio::create_task(waiter(event));
  auto b = aio::create_task(waiter(event));
  co_await aio::sleep(1s);
  std::cout << "set\n";
  event.set();
  co_await aio::gather(a, b);
}

TEST(DocSync, EventWakesEveryWaiter) {
  testing::internal::CaptureStdout();
  aio_test::run(event_main());
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "set\ngo!\ngo!\n");
}

// ---- Condition
std::vector<int> taken;

aio::coro<> consumer(aio::condition& cv, std::deque<int>& items) {
  auto held = co_await aio::scoped(cv);
  co_await cv.wait_for([&] { return !items.empty(); });
  int item = items.front();
  items.pop_front();
  // ... the lock is still held here ...
  taken.push_back(item);
}

aio::coro<> producer(aio::condition& cv, std::deque<int>& items) {
  auto held = co_await aio::scoped(cv);
  items.push_back(42);
  cv.notify();  // the consumer returns from wait_for once we release the lock
}

aio::coro<> condition_main() {
  aio::condition cv;
  std::deque<int> items;
  auto c = aio::create_task(consumer(cv, items));
  co_await aio::sleep(1s);
  co_await producer(cv, items);
  co_await c;
}

TEST(DocSync, ConditionHandsOverAnItem) {
  aio_test::run(condition_main());
  EXPECT_EQ(taken, std::vector<int>{42});
}

// ---- Semaphore
int inside = 0;
int most_inside = 0;

aio::coro<> job(int i, aio::semaphore& sem) {
  auto held = co_await aio::scoped(sem);  // at most 3 jobs in here at once
  (void)i;                                // the job's number, unused here
  most_inside = std::max(most_inside, ++inside);
  co_await aio::sleep(1s);
  --inside;
}

aio::coro<> semaphore_main() {
  aio::semaphore sem(3);
  std::vector<aio::coro<>> jobs;
  for (int i = 0; i < 10; ++i) jobs.push_back(job(i, sem));
  co_await aio::gather(std::move(jobs));
}

TEST(DocSync, SemaphoreLetsThreeIn) {
  const double seconds = aio_test::run([]() -> aio::coro<double> {
    const auto start = aio::get_running_loop().time();
    co_await semaphore_main();
    co_return aio_test::seconds_since(start);
  }());
  EXPECT_EQ(most_inside, 3);
  EXPECT_EQ(seconds, 4.0);  // 10 jobs of 1 s, 3 at a time: four waves
}

// ---- Barrier
std::vector<std::size_t> indices;

aio::coro<> worker(aio::barrier& ready) {
  // ... set up ...
  std::size_t i = co_await ready.wait();  // everyone waits until parties() tasks are here
  // ... all set up: go ...
  indices.push_back(i);
}

aio::coro<> barrier_main() {
  aio::barrier ready(3);
  co_await aio::gather(worker(ready), worker(ready), worker(ready));
}

TEST(DocSync, BarrierReleasesAllThree) {
  aio_test::run(barrier_main());
  std::sort(indices.begin(), indices.end());
  EXPECT_EQ(indices, (std::vector<std::size_t>{0, 1, 2}));
}

}  // namespace
