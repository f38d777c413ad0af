// asyncio docs, "Condition":
//
//     async with cond:
//         await cond.wait_for(lambda: len(items) > 0)
//         item = items.pop()
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

aio::coro<int> consume(aio::condition& cond, std::vector<int>& items) {
  auto held = co_await aio::scoped(cond);
  co_await cond.wait_for([&] { return !items.empty(); });
  int item = items.back();
  items.pop_back();
  co_return item;
}

aio::coro<> produce(aio::condition& cond, std::vector<int>& items) {
  for (int i = 1; i <= 3; ++i) {
    co_await aio::sleep(std::chrono::milliseconds(5));
    auto held = co_await aio::scoped(cond);
    items.push_back(i * 100);
    cond.notify();
  }
}

aio::coro<> main_() {
  aio::condition cond;
  std::vector<int> items;
  auto [a, b, c, done] = co_await aio::gather(consume(cond, items), consume(cond, items),
                                              consume(cond, items), produce(cond, items));
  if (a + b + c != 600 || !items.empty()) throw std::runtime_error("the consumers got the wrong items");
}

int main() { aio::run(main_()); }
