// asyncio docs, "Shielding From Cancellation":
//
//     task = asyncio.create_task(something())
//     res = await shield(task)        # cancelling the caller does not cancel `task`
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>

using namespace std::chrono_literals;

aio::coro<int> something() {
  co_await aio::sleep(100ms);
  co_return 5;
}

aio::coro<int> caller(aio::task<int> inner) { co_return co_await aio::shield(inner); }

aio::coro<> main_() {
  auto inner = aio::create_task(something());
  auto outer = aio::create_task(caller(inner));
  co_await aio::sleep(10ms);
  outer.cancel();
  bool outer_cancelled = false;
  try {
    co_await outer;
  } catch (const aio::cancelled_error&) {
    outer_cancelled = true;
  }
  if (!outer_cancelled) throw std::runtime_error("the caller should have been cancelled");
  if (inner.cancelled()) throw std::runtime_error("shield let the cancellation through");
  if (co_await inner != 5) throw std::runtime_error("the shielded task lost its result");
}

int main() { aio::run(main_()); }
