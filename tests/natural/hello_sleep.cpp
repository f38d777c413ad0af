// asyncio docs, "Coroutines and Tasks": the first example.
//
//     async def main():
//         print("hello")
//         await asyncio.sleep(1)
//         print("world")
//     asyncio.run(main())
#include <aio/aio.hpp>

#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;

aio::coro<> main_() {
  const auto start = aio::clock::now();
  std::puts("hello");
  co_await aio::sleep(100ms);
  std::puts("world");
  if (aio::clock::now() - start < 100ms) throw std::runtime_error("slept less than asked");
}

int main() { aio::run(main_()); }
