// g++ 12 refuses this spelling (docs/design/compilers.md, Bug 1): with g++ 12 the test checks that
// refusal, with clang++ it runs.
// asyncio docs, "Running in Threads": a blocking function run with to_thread, given the state it
// needs through a lambda's capture.
//
//     n = await asyncio.to_thread(lambda: work(state))
#include <aio/aio.hpp>

#include <chrono>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

struct state {
  std::vector<int> values;
};

int work(const state& s) {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a blocking call
  return std::accumulate(s.values.begin(), s.values.end(), 0);
}

aio::coro<> main_() {
  auto state = std::make_shared<::state>();
  state->values = {1, 2, 3, 4};
  const auto loop_thread = std::this_thread::get_id();
  int n = co_await aio::to_thread([state] { return work(*state); });
  if (n != 10) throw std::runtime_error("wrong sum " + std::to_string(n));
  // The lambda (and its copy of `state`) is gone once the co_await returns.
  if (state.use_count() != 1) throw std::runtime_error("the capture leaked or was released twice");
  auto other = co_await aio::to_thread([] { return std::this_thread::get_id(); });
  if (other == loop_thread) throw std::runtime_error("to_thread ran on the loop's thread");
  auto [a, b] = co_await aio::gather(aio::to_thread(work, std::ref(*state)), aio::to_thread(work, *state));
  if (a != 10 || b != 10) throw std::runtime_error("gather of to_thread calls");
}

int main() { aio::run(main_()); }
