// Micro-benchmarks of the core: inline await (resume), create_task + join, yield, timers.
// Each benchmark runs inside one event loop; the loop's set-up is outside the timed region.
#include <benchmark/benchmark.h>

#include <chrono>
#include <vector>

#include "aio/aio.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<int> value(int v) { co_return v; }

// Awaiting a ready coro: allocate a frame, transfer in, transfer back.
void bm_await_coro(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    long sum = 0;
    for (auto _ : st) sum += co_await value(1);
    benchmark::DoNotOptimize(sum);
  }(state));
}
BENCHMARK(bm_await_coro);

// create_task + awaiting it: one frame, one trip through the ready queue.
void bm_create_task(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    long sum = 0;
    for (auto _ : st) sum += co_await aio::create_task(value(1));
    benchmark::DoNotOptimize(sum);
  }(state));
}
BENCHMARK(bm_create_task);

// sleep(0): one trip through the ready queue (a loop iteration).
void bm_yield(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    for (auto _ : st) co_await aio::sleep(0s);
  }(state));
}
BENCHMARK(bm_yield);

// Timer insert + cancel with `range(0)` other timers pending.
void bm_timer_insert_cancel(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    std::vector<aio::timer_handle> background;
    for (long i = 0; i < st.range(0); ++i)
      background.push_back(loop.call_later(std::chrono::seconds(10 + i), [] {}));
    for (auto _ : st) {
      auto h = loop.call_later(5s, [] {});
      h.cancel();
    }
    for (auto& h : background) h.cancel();
    co_return;
  }(state));
}
BENCHMARK(bm_timer_insert_cancel)->Arg(0)->Arg(1000)->Arg(100000);

// A task sleeping on a timer and cancelled: the task-as-timer path.
void bm_sleep_cancel(benchmark::State& state) {
  aio::run([](benchmark::State& st) -> aio::coro<> {
    for (auto _ : st) {
      auto t = aio::create_task([]() -> aio::coro<> { co_await aio::sleep(10s); }());
      co_await aio::sleep(0s);
      t.cancel();
      try {
        co_await t;
      } catch (const aio::cancelled_error&) {
      }
    }
  }(state));
}
BENCHMARK(bm_sleep_cancel);

}  // namespace
