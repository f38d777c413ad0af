// asyncio docs, wait(..., return_when=FIRST_COMPLETED): take the first, cancel the rest.
//
//     done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
//     for t in pending: t.cancel()
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;

aio::coro<std::string> mirror(std::string name, std::chrono::milliseconds latency) {
  co_await aio::sleep(latency);
  co_return name;
}

aio::coro<> main_() {
  std::vector<aio::task<std::string>> tasks{aio::create_task(mirror("slow", 1s)),
                                            aio::create_task(mirror("fast", 10ms))};
  auto [done, pending] = co_await aio::wait(tasks, aio::first_completed);
  if (done.size() != 1 || pending.size() != 1) throw std::runtime_error("wrong split");
  if (done[0].result() != "fast") throw std::runtime_error("the fast mirror should win");
  for (auto& t : pending) t.cancel();
  auto [finished, still] = co_await aio::wait(pending, aio::all_completed, 1s);
  if (!still.empty() || !finished[0].cancelled()) throw std::runtime_error("the slow one was not cancelled");
}

int main() { aio::run(main_()); }
