// aio::core alone (<aio/core.hpp>, target aio::core, pkg-config aio-core): tasks, gather over a vector,
// a lock shared by several tasks, to_thread and a timeout. Linked without OpenSSL, libpq or SQLite.
#include <aio/core.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

using namespace std::chrono_literals;

namespace {
struct counters {
  int inside = 0;
  int most_inside = 0;
};

aio::coro<int> worker(aio::lock& lock, counters& c, int i) {
  auto held = co_await aio::scoped(lock);
  ++c.inside;
  c.most_inside = std::max(c.most_inside, c.inside);
  co_await aio::sleep(1ms);
  --c.inside;
  co_return i;
}

aio::coro<int> consumer_main() {
  aio::lock lock;
  counters c;
  std::vector<aio::task<int>> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back(aio::create_task(worker(lock, c, i)));
  const std::vector<int> got = co_await aio::gather(tasks);
  const int from_thread = co_await aio::to_thread([] { return 40; });
  bool timed_out = false;
  try {
    co_await aio::wait_for(aio::sleep(10s), 5ms);
  } catch (const aio::timeout_error&) {
    timed_out = true;
  }
  int sum = 0;
  for (const int v : got) sum += v;  // 0 + 1 + 2 + 3
  co_return c.most_inside == 1 && timed_out ? sum + from_thread - 4 : -1;
}
}  // namespace

int main() {
  const int v = aio::run(consumer_main());
  if (v != 42) {
    std::cerr << "aio core consumer: expected 42, got " << v << "\n";
    return 1;
  }
  std::cout << "aio core consumer: ok\n";
  return 0;
}
