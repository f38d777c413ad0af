// asyncio docs, "Queues": three workers share a queue; join() waits until every item is done.
//
//     async def worker(name, queue):
//         while True:
//             sleep_for = await queue.get()
//             await asyncio.sleep(sleep_for)
//             queue.task_done()
//     ...
//     await queue.join()
//     for task in tasks: task.cancel()
//     await asyncio.gather(*tasks, return_exceptions=True)
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

aio::coro<> worker(aio::queue<int>& queue, int& total) {
  for (;;) {
    int sleep_for = co_await queue.get();
    co_await aio::sleep(std::chrono::milliseconds(sleep_for));
    total += sleep_for;
    queue.task_done();
  }
}

aio::coro<> main_() {
  aio::queue<int> queue;
  int expected = 0;
  for (int i = 1; i <= 20; ++i) {
    queue.put_nowait(i);
    expected += i;
  }
  int total = 0;
  std::vector<aio::task<>> tasks;
  for (int i = 0; i < 3; ++i) tasks.push_back(aio::create_task(worker(queue, total)));
  co_await queue.join();
  for (auto& t : tasks) t.cancel();
  auto results = co_await aio::gather(aio::return_exceptions, std::move(tasks));
  if (results.size() != 3 || total != expected) throw std::runtime_error("the workers lost items");
  if (!queue.empty()) throw std::runtime_error("items left in the queue");
}

int main() { aio::run(main_()); }
