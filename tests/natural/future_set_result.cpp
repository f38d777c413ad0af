// asyncio docs, "Futures": a low-level future set by another task.
//
//     fut = loop.create_future()
//     loop.create_task(set_after(fut, 1, '... world'))
//     print(await fut)
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

aio::coro<> set_after(aio::future<std::string> fut, std::chrono::milliseconds delay, std::string value) {
  co_await aio::sleep(delay);
  fut.set_result(std::move(value));
}

aio::coro<> main_() {
  auto& loop = aio::get_running_loop();
  aio::future<std::string> fut = loop.create_future<std::string>();
  aio::create_task(set_after(fut, 10ms, "... world"));
  std::string got = co_await fut;
  if (got != "... world") throw std::runtime_error("wrong result: " + got);
  bool refused = false;
  try {
    fut.set_result("again");
  } catch (const aio::invalid_state_error&) {
    refused = true;
  }
  if (!refused) throw std::runtime_error("a future was set twice");
}

int main() { aio::run(main_()); }
