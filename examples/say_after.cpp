// say_after — awaiting coroutines one after another versus running them as tasks.
//
//     async def say_after(delay, what):
//         await asyncio.sleep(delay)
//         print(what)
//
// Awaited in turn, say_after(1, 'hello') then say_after(2, 'world') take 3 seconds. Wrapped in
// tasks with create_task, both sleep at the same time and the whole thing takes 2 seconds.

#include <aio/aio.hpp>
#include <chrono>
#include <cmath>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::coro<> say_after(std::ostream& out, std::chrono::seconds delay, std::string what) {
  co_await aio::sleep(delay);
  out << what << "\n";
}

// The tutorial prints the wall-clock time; here, whole seconds since `start` on the loop's clock.
long seconds_since(aio::clock::time_point start) {
  return std::lround(std::chrono::duration<double>(aio::get_running_loop().time() - start).count());
}
}  // namespace

// Awaiting a coro runs it right here: the second starts when the first is done (~3 s).
aio::coro<> say_after_main(std::ostream& out) {
  const auto start = aio::get_running_loop().time();
  out << "started at " << seconds_since(start) << " s\n";
  co_await say_after(out, 1s, "hello");
  co_await say_after(out, 2s, "world");
  out << "finished at " << seconds_since(start) << " s\n";
}

// Tasks are scheduled at once and run concurrently: the total is the longest sleep (~2 s).
aio::coro<> say_after_tasks_main(std::ostream& out) {
  const auto start = aio::get_running_loop().time();
  auto task1 = aio::create_task(say_after(out, 1s, "hello"));
  auto task2 = aio::create_task(say_after(out, 2s, "world"));
  out << "started at " << seconds_since(start) << " s\n";
  co_await task1;
  co_await task2;
  out << "finished at " << seconds_since(start) << " s\n";
}

#ifndef AIO_TOUR
int main() {
  aio::run(say_after_main(std::cout));
  aio::run(say_after_tasks_main(std::cout));
}
#endif
