// wait_for on a coroutine that would take an eternity.
//
//     async def eternity():
//         await asyncio.sleep(3600)
//         print('yay!')
//
//     try:
//         await asyncio.wait_for(eternity(), timeout=1.0)
//     except TimeoutError:
//         print('timeout!')
//
// After one second wait_for cancels eternity(), waits for it to wind down, and throws timeout_error.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>

using namespace std::chrono_literals;

namespace {
aio::coro<> eternity(std::ostream& out) {
  co_await aio::sleep(3600s);  // sleep for one hour
  out << "yay!\n";
}
}  // namespace

aio::coro<> wait_for_main(std::ostream& out) {
  try {
    co_await aio::wait_for(eternity(out), 1s);
  } catch (const aio::timeout_error&) {
    out << "timeout!\n";
  }
}

#ifndef AIO_TOUR
int main() { aio::run(wait_for_main(std::cout)); }
#endif
