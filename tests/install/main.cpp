// Built against an installed aio (find_package and pkg-config): the umbrella header, a task, a sleep
// and aio::run must all be usable from outside the source tree.
#include <aio/aio.hpp>
#include <chrono>
#include <iostream>

using namespace std::chrono_literals;

namespace {
aio::coro<int> answer() {
  co_await aio::sleep(1ms);
  co_return 42;
}

aio::coro<int> consumer_main() {
  auto t = aio::create_task(answer(), "answer");
  co_return co_await t;
}
}  // namespace

int main() {
  const int v = aio::run(consumer_main());
  if (v != 42) {
    std::cerr << "aio consumer: expected 42, got " << v << "\n";
    return 1;
  }
  std::cout << "aio consumer: ok\n";
  return 0;
}
