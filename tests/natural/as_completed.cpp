// asyncio docs, as_completed: results in completion order.
//
//     for coro in asyncio.as_completed(tasks):
//         earliest_result = await coro
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

aio::coro<int> after(int ms) {
  co_await aio::sleep(std::chrono::milliseconds(ms));
  co_return ms;
}

aio::coro<> main_() {
  std::vector<aio::task<int>> tasks;
  for (int ms : {30, 10, 20}) tasks.push_back(aio::create_task(after(ms)));
  std::vector<int> order;
  for (auto next : aio::as_completed(tasks)) order.push_back(co_await next);
  if (order != std::vector<int>{10, 20, 30}) throw std::runtime_error("not in completion order");
}

int main() { aio::run(main_()); }
