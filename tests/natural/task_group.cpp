// asyncio docs, "Task Groups":
//
//     async with asyncio.TaskGroup() as tg:
//         task1 = tg.create_task(some_coro(...))
//         task2 = tg.create_task(another_coro(...))
//     print(f"Both tasks have completed now: {task1.result()}, {task2.result()}")
#include <aio/aio.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;

aio::coro<std::string> fetch(std::string name, std::chrono::milliseconds delay) {
  co_await aio::sleep(delay);
  co_return "page " + name;
}

aio::coro<> main_() {
  const std::vector<std::string> names{"a", "b", "c"};
  std::vector<aio::task<std::string>> tasks;
  const auto started = aio::clock::now();
  co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
    for (const auto& name : names) tasks.push_back(tg.create_task(fetch(name, 50ms)));
    co_return;
  });
  if (aio::clock::now() - started >= 140ms) throw std::runtime_error("the children did not run concurrently");
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!tasks[i].done()) throw std::runtime_error("the group returned before its children");
    std::cout << tasks[i].result() << "\n";
    if (tasks[i].result() != "page " + names[i]) throw std::runtime_error("wrong result");
  }
}

int main() { aio::run(main_()); }
