// Micro-benchmarks of the combinators and primitives: gather, queue ping-pong, lock hand-off.
#include <benchmark/benchmark.h>

#include <chrono>
#include <vector>

#include "aio/aio.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<int> one() { co_return 1; }

// gather of `range(0)` coros: tasks created, run, and collected in order.
void bm_gather_vector(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    const auto n = static_cast<std::size_t>(st.range(0));
    for (auto _ : st) {
      std::vector<aio::coro<int>> cs;
      cs.reserve(n);
      for (std::size_t i = 0; i < n; ++i) cs.push_back(one());
      auto rs = co_await aio::gather(std::move(cs));
      benchmark::DoNotOptimize(rs.data());
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
  }(state));
}
BENCHMARK(bm_gather_vector)->Arg(1)->Arg(100)->Arg(10000);

// Two tasks bounce an item through two bounded queues: each round is two puts, two gets and two
// hand-offs between tasks.
void bm_queue_ping_pong(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    aio::queue<int> ping(1);
    aio::queue<int> pong(1);
    auto echo = aio::create_task([](aio::queue<int>* in, aio::queue<int>* out) -> aio::coro<> {
      for (;;) {
        const int v = co_await in->get();
        if (v < 0) co_return;
        co_await out->put(v);
      }
    }(&ping, &pong));
    for (auto _ : st) {
      co_await ping.put(1);
      benchmark::DoNotOptimize(co_await pong.get());
    }
    co_await ping.put(-1);
    co_await echo;
  }(state));
}
BENCHMARK(bm_queue_ping_pong);

// Two tasks take turns holding one lock: every acquire waits for the other task's release.
void bm_lock_hand_off(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    aio::lock mutex;
    bool stop = false;
    auto other = aio::create_task([](aio::lock* m, bool* stop) -> aio::coro<> {
      while (!*stop) {
        co_await m->acquire();
        co_await aio::sleep(0s);
        m->release();
      }
    }(&mutex, &stop));
    for (auto _ : st) {
      co_await mutex.acquire();
      co_await aio::sleep(0s);
      mutex.release();
    }
    stop = true;
    co_await other;
  }(state));
}
BENCHMARK(bm_lock_hand_off);

// Uncontended lock: acquire is ready, release wakes nobody.
void bm_lock_uncontended(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    aio::lock mutex;
    for (auto _ : st) {
      co_await mutex.acquire();
      mutex.release();
    }
  }(state));
}
BENCHMARK(bm_lock_uncontended);

}  // namespace
