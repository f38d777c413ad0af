// Two countdowns running side by side on one thread.
//
//     async def countdown(name, n):
//         while n > 0:
//             print(f'{name}: {n}')
//             await asyncio.sleep(1)
//             n -= 1
//         print(f'{name}: liftoff!')
//
// A counts down from 3 and B from 2, both at one step per second; their lines interleave and the
// whole program takes 3 seconds (the longer countdown), not 5.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::coro<> countdown(std::ostream& out, std::string name, int n) {
  for (; n > 0; --n) {
    out << name << ": " << n << "\n";
    co_await aio::sleep(1s);
  }
  out << name << ": liftoff!\n";
}
}  // namespace

aio::coro<> countdowns_main(std::ostream& out) {
  auto a = aio::create_task(countdown(out, "A", 3));
  auto b = aio::create_task(countdown(out, "B", 2));
  co_await a;
  co_await b;
}

#ifndef AIO_TOUR
int main() { aio::run(countdowns_main(std::cout)); }
#endif
