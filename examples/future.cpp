// A future set by a background task: the low-level object under every task.
//
//     async def set_after(fut, delay, value):
//         await asyncio.sleep(delay)
//         fut.set_result(value)
//
//     async def main():
//         fut = asyncio.get_running_loop().create_future()
//         asyncio.create_task(set_after(fut, 1, 2026))
//         print(await fut)
//
// main waits on the future; one second later the background task sets it to 2026.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>

using namespace std::chrono_literals;

namespace {
aio::coro<> set_after(aio::future<int> fut, std::chrono::seconds delay, int value, std::ostream& out) {
  co_await aio::sleep(delay);
  out << "background: setting the future to " << value << "\n";
  fut.set_result(value);
}
}  // namespace

aio::coro<> future_main(std::ostream& out) {
  auto fut = aio::get_running_loop().create_future<int>();
  // The loop keeps the task alive: there is no need to hold on to its handle.
  aio::create_task(set_after(fut, 1s, 2026, out), "setter");
  out << "main: waiting for the future\n";
  const int year = co_await fut;
  out << "main: the future says " << year << "\n";
}

#ifndef AIO_TOUR
int main() { aio::run(future_main(std::cout)); }
#endif
