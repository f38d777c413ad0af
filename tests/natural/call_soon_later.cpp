// asyncio docs, "Event Loop": call_soon, call_later and cancelling a scheduled callback.
//
//     loop.call_soon(hello_world, loop)
//     handle = loop.call_later(5, never)
//     handle.cancel()
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

aio::coro<> main_() {
  auto& loop = aio::get_running_loop();
  std::string order;
  aio::future<> done;
  // 15 ms vs 200 ms: `at` is scheduled a moment after `later`, and on a loaded machine (the sanitizer
  // suites) that moment has exceeded 5 ms.
  loop.call_later(200ms, [&] {
    order += "later;";
    done.set_result();
  });
  loop.call_soon([&] { order += "soon1;"; });
  loop.call_soon([&] { order += "soon2;"; });
  auto never = loop.call_later(10ms, [&] { order += "never;"; });
  never.cancel();
  loop.call_at(loop.time() + 15ms, [&] { order += "at;"; });
  co_await done;
  if (order != "soon1;soon2;at;later;") throw std::runtime_error("wrong order: " + order);
}

int main() { aio::run(main_()); }
