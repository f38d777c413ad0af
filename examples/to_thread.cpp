// to_thread: run a blocking call on a worker thread so the event loop stays free.
//
//     def blocking_io():
//         time.sleep(1)            # e.g. a file or a library without async support
//         return 'file contents'
//
//     async def main():
//         ticker = asyncio.create_task(tick())
//         data = await asyncio.to_thread(blocking_io)
//         ticker.cancel()
//
// The ticker keeps printing while the worker thread sleeps: the blocking call does not block the
// loop. Had main called blocking_io() directly, the ticker could not tick until it returned.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace {
std::string blocking_io(std::chrono::milliseconds how_long) {
  std::this_thread::sleep_for(how_long);  // blocks this thread, as time.sleep() would
  return "file contents";
}

aio::coro<> tick(std::ostream& out) {
  for (int i = 1;; ++i) {
    co_await aio::sleep(300ms);
    out << "tick " << i << "\n";
  }
}
}  // namespace

aio::coro<> to_thread_main(std::ostream& out) {
  out << "main: starting a 1 s blocking call on a worker thread\n";
  auto ticker = aio::create_task(tick(out), "ticker");
  const std::string data = co_await aio::to_thread(blocking_io, std::chrono::milliseconds(1000));
  ticker.cancel();
  try {
    co_await ticker;  // let the ticker wind down
  } catch (const aio::cancelled_error&) {
  }
  out << "main: the blocking call returned '" << data << "', and the loop kept ticking meanwhile\n";
}

#ifndef AIO_TOUR
int main() { aio::run(to_thread_main(std::cout)); }
#endif
