// asyncio docs, Queue with maxsize and shutdown (3.13): a producer blocks when the queue is full, and
// the consumer stops on QueueShutDown.
//
//     queue = asyncio.Queue(maxsize=2)
//     ... await queue.put(i) ... queue.shutdown()
//     try: while True: item = await queue.get()
//     except asyncio.QueueShutDown: pass
#include <aio/aio.hpp>

#include <stdexcept>
#include <string>
#include <vector>

aio::coro<> producer(aio::queue<std::string>& queue) {
  for (int i = 0; i < 5; ++i) {
    co_await queue.put("item " + std::to_string(i));
    if (queue.qsize() > queue.maxsize()) throw std::runtime_error("the queue grew past maxsize");
  }
  queue.shutdown();
}

aio::coro<std::vector<std::string>> consumer(aio::queue<std::string>& queue) {
  std::vector<std::string> got;
  try {
    for (;;) got.push_back(co_await queue.get());
  } catch (const aio::queue_shut_down&) {
  }
  co_return got;
}

aio::coro<> main_() {
  aio::queue<std::string> queue(2);
  auto [done, got] = co_await aio::gather(producer(queue), consumer(queue));
  if (got.size() != 5 || got.front() != "item 0" || got.back() != "item 4")
    throw std::runtime_error("lost items");
}

int main() { aio::run(main_()); }
