// asyncio docs, "Timeouts": wait_for cancels the slow coroutine and raises TimeoutError.
//
//     try:
//         await asyncio.wait_for(eternity(), timeout=1.0)
//     except TimeoutError:
//         print('timeout!')
#include <aio/aio.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>

using namespace std::chrono_literals;

aio::coro<> eternity(bool& cancelled) {
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error&) {
    cancelled = true;
    throw;
  }
}

aio::coro<> main_() {
  bool cancelled = false;
  bool timed_out = false;
  try {
    co_await aio::wait_for(eternity(cancelled), 50ms);
  } catch (const aio::timeout_error&) {
    std::cout << "timeout!\n";
    timed_out = true;
  }
  if (!timed_out || !cancelled) throw std::runtime_error("wait_for did not time out and cancel");
  // A fast one comes back with its value.
  int v = co_await aio::wait_for(aio::create_task([]() -> aio::coro<int> { co_return 7; }()), 1s);
  if (v != 7) throw std::runtime_error("wait_for lost the result");
}

int main() { aio::run(main_()); }
