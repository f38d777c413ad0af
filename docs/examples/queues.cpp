// docs/guide/queues.md: the guide's blocks, completed and run on virtual time (aio_test::run checks
// that nothing leaked), with what the guide says they do checked.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

// ---- Producer and consumer
int consumed = 0;

aio::coro<> consumer(aio::queue<int>& q) {
  for (;;) {
    const int item = co_await q.get();
    co_await aio::sleep(500ms);  // use it
    consumed += item;
    q.task_done();
  }
}

aio::coro<> producer_consumer_main() {
  aio::queue<int> q;
  auto consumer_task = aio::create_task(consumer(q));
  for (int item = 1; item <= 4; ++item) co_await q.put(item);
  co_await q.join();       // every item taken was marked task_done()
  consumer_task.cancel();  // the queue must outlive the consumer: wait for it to end
  try {
    co_await consumer_task;
  } catch (const aio::cancelled_error&) {
  }
}

TEST(DocQueues, ProducerConsumer) {
  aio_test::run(producer_consumer_main());
  EXPECT_EQ(consumed, 1 + 2 + 3 + 4);
}

// ---- Shutting down
struct Job {
  int id = 0;
};
std::vector<int> done_jobs;
aio::coro<> run(Job job) {
  co_await aio::sleep(1s);
  done_jobs.push_back(job.id);
}

aio::coro<> worker(aio::queue<Job>& jobs) {
  try {
    for (;;) {
      Job job = co_await jobs.get();
      co_await run(job);
      jobs.task_done();
    }
  } catch (const aio::queue_shut_down&) {
    // no more jobs
  }
}
// producer, at the end: jobs.shutdown();   // workers finish what is queued, then stop

aio::coro<> shutdown_main() {
  aio::queue<Job> jobs;
  auto a = aio::create_task(worker(jobs));
  auto b = aio::create_task(worker(jobs));
  for (int id = 1; id <= 5; ++id) co_await jobs.put(Job{id});
  jobs.shutdown();
  co_await aio::gather(a, b);  // both workers return normally
}

TEST(DocQueues, ShutdownStopsTheWorkersOnceTheQueueIsEmpty) {
  aio_test::run(shutdown_main());
  EXPECT_EQ(done_jobs.size(), 5U);
}

// ---- Priority and LIFO order
struct Task {
  std::string name;
  aio::clock::time_point deadline;
};
// A stateful comparator: the queue gives the smallest first, so "less" is "due earlier".
struct ByDeadline {
  aio::clock::time_point now;
  bool operator()(const Task& a, const Task& b) const { return a.deadline - now < b.deadline - now; }
};

TEST(DocQueues, PriorityOrders) {
  const aio::clock::time_point now{};
  aio::priority_queue<std::pair<int, std::string>> urgent;  // (priority, name), lowest first
  aio::priority_queue<int, std::greater<int>> largest_first;
  aio::priority_queue<Task, ByDeadline> by_deadline(0, ByDeadline{now});
  urgent.put_nowait({2, "later"});
  urgent.put_nowait({1, "first"});
  EXPECT_EQ(urgent.get_nowait().second, "first");
  largest_first.put_nowait(1);
  largest_first.put_nowait(3);
  EXPECT_EQ(largest_first.get_nowait(), 3);
  by_deadline.put_nowait({"b", now + 2s});
  by_deadline.put_nowait({"a", now + 1s});
  EXPECT_EQ(by_deadline.get_nowait().name, "a");
}

}  // namespace
