// asyncio docs, "Coroutines and Tasks": say_after run as two tasks takes 2 s, not 3.
//
//     task1 = asyncio.create_task(say_after(1, 'hello'))
//     task2 = asyncio.create_task(say_after(2, 'world'))
//     await task1
//     await task2
#include <aio/aio.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

aio::coro<std::string> say_after(std::chrono::milliseconds delay, std::string what) {
  co_await aio::sleep(delay);
  std::cout << what << "\n";
  co_return what;
}

aio::coro<> main_() {
  const auto started = aio::clock::now();
  auto task1 = aio::create_task(say_after(100ms, "hello"));
  auto task2 = aio::create_task(say_after(200ms, "world"));
  std::string a = co_await task1;
  std::string b = co_await task2;
  const auto took = aio::clock::now() - started;
  if (a != "hello" || b != "world") throw std::runtime_error("wrong results: " + a + ", " + b);
  if (took >= 290ms) throw std::runtime_error("the tasks did not run concurrently");
}

int main() { aio::run(main_()); }
