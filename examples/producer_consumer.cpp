// A producer and a consumer over a queue, then join().
//
//     async def producer(q):
//         for item in range(1, 5):
//             await asyncio.sleep(0.3)          # making an item takes 0.3 s
//             await q.put(item)
//
//     async def consumer(q):
//         while True:
//             item = await q.get()
//             await asyncio.sleep(0.5)          # using it takes 0.5 s
//             q.task_done()
//
//     await producer(q); await q.join(); consumer_task.cancel()
//
// The consumer is slower than the producer, so items wait in the queue; join() returns once every
// item taken has been marked task_done(), and main then cancels the idle consumer.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>

using namespace std::chrono_literals;

namespace {
aio::coro<> producer(aio::queue<int>& q, std::ostream& out) {
  for (int item = 1; item <= 4; ++item) {
    co_await aio::sleep(300ms);
    co_await q.put(item);
    out << "produced item " << item << "\n";
  }
}

aio::coro<> consumer(aio::queue<int>& q, std::ostream& out) {
  for (;;) {
    const int item = co_await q.get();
    co_await aio::sleep(500ms);
    out << "consumed item " << item << "\n";
    q.task_done();
  }
}
}  // namespace

aio::coro<> producer_consumer_main(std::ostream& out) {
  aio::queue<int> q;
  auto consumer_task = aio::create_task(consumer(q, out), "consumer");
  co_await producer(q, out);
  out << "producer: done, waiting for the queue to drain\n";
  co_await q.join();
  out << "main: every item was consumed\n";
  consumer_task.cancel();
  try {
    co_await consumer_task;  // the queue must outlive the consumer
  } catch (const aio::cancelled_error&) {
  }
}

#ifndef AIO_TOUR
int main() { aio::run(producer_consumer_main(std::cout)); }
#endif
