// asyncio docs, "Semaphore": at most N coroutines in the guarded block.
//
//     sem = asyncio.Semaphore(3)
//     async with sem:
//         await fetch(url)
#include <aio/aio.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

aio::coro<> fetch(aio::semaphore& sem, int& in_flight, int& peak) {
  auto held = co_await aio::scoped(sem);
  peak = std::max(peak, ++in_flight);
  co_await aio::sleep(std::chrono::milliseconds(5));
  --in_flight;
}

aio::coro<> main_() {
  aio::semaphore sem(3);
  int in_flight = 0;
  int peak = 0;
  std::vector<aio::task<>> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back(aio::create_task(fetch(sem, in_flight, peak)));
  co_await aio::gather(std::move(tasks));
  if (peak != 3) throw std::runtime_error("peak concurrency was " + std::to_string(peak) + ", not 3");
  aio::bounded_semaphore bounded(1);
  bool refused = false;
  try {
    bounded.release();
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  if (!refused) throw std::runtime_error("a bounded semaphore was released above its start");
}

int main() { aio::run(main_()); }
