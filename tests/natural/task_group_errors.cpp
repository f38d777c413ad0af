// asyncio docs, "Task Groups" + "Exception groups": one failure cancels the siblings and every
// failure comes out together.
//
//     try:
//         async with asyncio.TaskGroup() as tg:
//             tg.create_task(fail("a")); tg.create_task(slow())
//     except* ValueError as eg:
//         ...
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>

using namespace std::chrono_literals;

aio::coro<> fail(std::chrono::milliseconds after) {
  co_await aio::sleep(after);
  throw std::invalid_argument("bad input");
}

aio::coro<> slow(bool& cancelled) {
  try {
    co_await aio::sleep(1h);
  } catch (const aio::cancelled_error&) {
    cancelled = true;
    throw;
  }
}

aio::coro<> main_() {
  bool slow_cancelled = false;
  std::size_t caught = 0;
  try {
    co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
      tg.create_task(fail(10ms));
      tg.create_task(slow(slow_cancelled));
      co_return;
    });
  } catch (const aio::exception_group& eg) {
    caught = eg.split<std::invalid_argument>().size();
  }
  if (caught != 1) throw std::runtime_error("the exception group should hold one invalid_argument");
  if (!slow_cancelled) throw std::runtime_error("the sibling was not cancelled");
}

int main() { aio::run(main_()); }
