// asyncio docs, "loop.add_signal_handler": a Unix signal wakes a coroutine.
//
//     loop.add_signal_handler(signal.SIGUSR1, event.set)
//     os.kill(os.getpid(), signal.SIGUSR1)
//     await event.wait()
#include <aio/aio.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

using namespace std::chrono_literals;

aio::coro<> main_() {
  auto& loop = aio::get_running_loop();
  aio::event event;
  int count = 0;
  loop.add_signal_handler(SIGUSR1, [&] {
    ++count;
    event.set();
  });
  ::kill(::getpid(), SIGUSR1);
  co_await aio::wait_for(event.wait(), 5s);
  if (count != 1) throw std::runtime_error("the handler ran " + std::to_string(count) + " times");
  if (!loop.remove_signal_handler(SIGUSR1)) throw std::runtime_error("the handler was not installed");
}

int main() { aio::run(main_()); }
