// asyncio docs, "Running Tasks Concurrently": gather's results come back in argument order.
//
//     a, b, c = await asyncio.gather(factorial("A", 2), factorial("B", 3), factorial("C", 4))
#include <aio/aio.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

aio::coro<long> factorial(std::string name, int number) {
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    std::printf("Task %s: Compute factorial(%d), currently i=%d...\n", name.c_str(), number, i);
    co_await aio::sleep(10ms);
    f *= i;
  }
  std::printf("Task %s: factorial(%d) = %ld\n", name.c_str(), number, f);
  co_return f;
}

aio::coro<> main_() {
  auto [a, b, c] = co_await aio::gather(factorial("A", 2), factorial("B", 3), factorial("C", 4));
  if (a != 2 || b != 6 || c != 24) throw std::runtime_error("gather returned wrong factorials");
}

int main() { aio::run(main_()); }
