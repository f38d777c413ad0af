// asyncio docs, "Timeouts": async with asyncio.timeout(10): await long_running_task()
//
//     try:
//         async with asyncio.timeout(0.05):
//             await long_running_task()
//     except TimeoutError:
//         print("The long operation timed out, but we've handled it.")
#include <aio/aio.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>

using namespace std::chrono_literals;

aio::coro<int> long_running_task(std::chrono::milliseconds how_long) {
  co_await aio::sleep(how_long);
  co_return 42;
}

aio::coro<> main_() {
  bool handled = false;
  try {
    co_await aio::timeout(50ms, long_running_task(10s));
  } catch (const aio::timeout_error&) {
    std::cout << "The long operation timed out, but we've handled it.\n";
    handled = true;
  }
  if (!handled) throw std::runtime_error("timeout did not fire");
  if (co_await aio::timeout(1s, long_running_task(1ms)) != 42) throw std::runtime_error("lost the result");
  const auto deadline = aio::get_running_loop().time() + 1s;
  if (co_await aio::timeout_at(deadline, long_running_task(1ms)) != 42)
    throw std::runtime_error("timeout_at");
}

int main() { aio::run(main_()); }
