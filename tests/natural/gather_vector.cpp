// asyncio docs, gather(*aws): a list of tasks built in a loop, gathered at once.
//
//     tasks = []
//     for i in range(10):
//         tasks.append(asyncio.create_task(worker(i)))
//     results = await asyncio.gather(*tasks)
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

using namespace std::chrono_literals;

aio::coro<int> worker(int i) {
  co_await aio::sleep(std::chrono::milliseconds(10 * (10 - i)));  // the last one finishes first
  co_return i* i;
}

aio::coro<> main_() {
  std::vector<aio::task<int>> tasks;
  for (int i = 0; i < 10; ++i) tasks.push_back(aio::create_task(worker(i)));
  auto results = co_await aio::gather(std::move(tasks));
  if (results.size() != 10) throw std::runtime_error("gather lost results");
  for (int i = 0; i < 10; ++i) {
    if (results[static_cast<std::size_t>(i)] != i * i)
      throw std::runtime_error("results not in argument order");
  }
}

int main() { aio::run(main_()); }
