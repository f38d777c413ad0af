// asyncio docs, "Event":
//
//     event = asyncio.Event()
//     waiter_task = asyncio.create_task(waiter(event))
//     await asyncio.sleep(1)
//     event.set()
//     await waiter_task
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>

using namespace std::chrono_literals;

aio::coro<bool> waiter(aio::event& event) {
  co_await event.wait();
  co_return event.is_set();
}

aio::coro<> main_() {
  aio::event event;
  auto waiter_task = aio::create_task(waiter(event));
  co_await aio::sleep(20ms);
  if (waiter_task.done()) throw std::runtime_error("the waiter did not wait");
  event.set();
  if (!co_await waiter_task) throw std::runtime_error("the waiter woke up without the event");
}

int main() { aio::run(main_()); }
