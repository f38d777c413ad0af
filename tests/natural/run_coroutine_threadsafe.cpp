// g++ 12 refuses this spelling (docs/design/compilers.md, Bug 1): with g++ 12 the test checks that
// refusal, with clang++ it runs.
// asyncio docs, "Scheduling From Other Threads":
//
//     future = asyncio.run_coroutine_threadsafe(coro, loop)
//     assert future.result(timeout) == 3
#include <aio/aio.hpp>

#include <chrono>
#include <future>
#include <stdexcept>

aio::coro<int> add(int a, int b) {
  co_await aio::sleep(std::chrono::milliseconds(5));
  co_return a + b;
}

aio::coro<> main_() {
  auto& loop = aio::get_running_loop();
  int v = co_await aio::to_thread([&loop] { return aio::run_coroutine_threadsafe(add(1, 2), loop).get(); });
  if (v != 3) throw std::runtime_error("wrong result");
  aio::future<int> fut;
  co_await aio::to_thread(
      [&loop, fut]() mutable { loop.call_soon_threadsafe([fut]() mutable { fut.set_result(9); }); });
  if (co_await fut != 9) throw std::runtime_error("call_soon_threadsafe did not deliver");
}

int main() { aio::run(main_()); }
