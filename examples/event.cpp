// An event: one task waits until another one says go.
//
//     async def waiter(event):
//         print('waiting for it ...')
//         await event.wait()
//         print('... got it!')
//
//     async def main():
//         event = asyncio.Event()
//         waiter_task = asyncio.create_task(waiter(event))
//         await asyncio.sleep(1)
//         event.set()
//         await waiter_task

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>

using namespace std::chrono_literals;

namespace {
aio::coro<> waiter(aio::event& event, std::ostream& out) {
  out << "waiting for it ...\n";
  co_await event.wait();
  out << "... got it!\n";
}
}  // namespace

aio::coro<> event_main(std::ostream& out) {
  aio::event event;
  auto waiter_task = aio::create_task(waiter(event, out), "waiter");
  co_await aio::sleep(1s);
  out << "setting the event\n";
  event.set();
  co_await waiter_task;
}

#ifndef AIO_TOUR
int main() { aio::run(event_main(std::cout)); }
#endif
