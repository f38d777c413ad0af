// gather: run three tasks concurrently and get their results in argument order.
//
//     async def work(name, delay):
//         print(f'{name}: started')
//         await asyncio.sleep(delay)
//         print(f'{name}: done')
//         return f'result {name}'
//
//     a, b, c = await asyncio.gather(work('A', 2), work('B', 1), work('C', 3))
//
// The tasks finish in the order B, A, C, but gather returns A's result first: results follow the
// arguments, not the finishing order. The whole thing takes 3 s (the longest), not 6.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::coro<std::string> work(std::ostream& out, std::string name, std::chrono::seconds delay) {
  out << name << ": started, " << delay.count() << " s to go\n";
  co_await aio::sleep(delay);
  out << name << ": done\n";
  co_return "result " + name;
}
}  // namespace

aio::coro<> gather_main(std::ostream& out) {
  auto [a, b, c] = co_await aio::gather(work(out, "A", 2s), work(out, "B", 1s), work(out, "C", 3s));
  out << "in argument order: " << a << ", " << b << ", " << c << "\n";
}

#ifndef AIO_TOUR
int main() { aio::run(gather_main(std::cout)); }
#endif
