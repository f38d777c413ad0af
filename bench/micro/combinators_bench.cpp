// Per-combinator cost per child (issue 15): N tasks joined one by one (the baseline) against gather
// (tuple and range forms, with and without return_exceptions), wait, as_completed and task_group.
// Every variant spawns the same workers the way users write it and joins them; the time and memory
// of spawning are in the baseline too, so the differences are what each combinator adds.
//
// Built as its own program (aio_micro_combinators), not in aio_micro: it replaces the global
// operator new/delete and wraps aio's frame allocator (-Wl,--wrap, bench/CMakeLists.txt) to count
// what each child costs, and those hooks must not slow the other micro-benchmarks.
//
// Counters, per child: ns (the thread's CPU time of spawn + join, page faults included: on this
// shared 2-core VM wall time mostly measures the other tenants), B_alloc (bytes requested from operator new
// and the frame allocator), B_peak (the highest live bytes above the iteration's start, the memory
// that must exist at once), heap (operator new calls) and frames (coroutine frames).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <new>
#include <tuple>
#include <utility>
#include <vector>

#include "aio/core.hpp"

using namespace std::chrono_literals;

namespace {

// Counters of the benchmark's thread (the loop runs there); thread_local keeps them out of the way
// of any helper thread and costs a plain increment.
struct alloc_counts {
  std::size_t heap_calls = 0;
  std::size_t heap_bytes = 0;
  std::size_t frame_calls = 0;
  std::size_t frame_bytes = 0;
  std::size_t live = 0;
  std::size_t peak = 0;
  bool in_frame_allocator = false;  // the allocator's 64 KiB slabs are not a child's bytes
};
thread_local alloc_counts t_counts;

void add_live(std::size_t n) noexcept {
  t_counts.live += n;
  t_counts.peak = std::max(t_counts.peak, t_counts.live);
}

// Each heap block carries its requested size in front (0 for a block not counted: the slabs and what
// the allocator allocates for itself), so delete knows what leaves.
constexpr std::size_t k_header = 16;

void* counted_new(std::size_t n) {
  void* raw = std::malloc(n + k_header);
  if (raw == nullptr) throw std::bad_alloc();
  *static_cast<std::size_t*>(raw) = t_counts.in_frame_allocator ? 0 : n;
  if (!t_counts.in_frame_allocator) {
    ++t_counts.heap_calls;
    t_counts.heap_bytes += n;
    add_live(n);
  }
  return static_cast<char*>(raw) + k_header;
}

void counted_delete(void* p) noexcept {
  if (p == nullptr) return;
  void* raw = static_cast<char*>(p) - k_header;
  const std::size_t n = *static_cast<std::size_t*>(raw);
  t_counts.live -= std::min(n, t_counts.live);
  std::free(raw);
}

}  // namespace

// The replaceable forms libstdc++ does not already route through these (over-aligned new is not
// replaced: nothing in the measured path uses it).
void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t /*n*/) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t /*n*/) noexcept { counted_delete(p); }

// aio::detail::allocate_frame / deallocate_frame, wrapped by the linker (--wrap): every coroutine
// frame's requested size, with the real pool underneath.
extern "C" {
void* __real__ZN3aio6detail14allocate_frameEm(std::size_t n);
void __real__ZN3aio6detail16deallocate_frameEPvm(void* p, std::size_t n) noexcept;

void* __wrap__ZN3aio6detail14allocate_frameEm(std::size_t n) {
  ++t_counts.frame_calls;
  t_counts.frame_bytes += n;
  add_live(n);
  t_counts.in_frame_allocator = true;
  void* p = __real__ZN3aio6detail14allocate_frameEm(n);
  t_counts.in_frame_allocator = false;
  return p;
}

void __wrap__ZN3aio6detail16deallocate_frameEPvm(void* p, std::size_t n) noexcept {
  t_counts.live -= std::min(n, t_counts.live);
  __real__ZN3aio6detail16deallocate_frameEPvm(p, n);
}
}

namespace {

// W1's worker: yields once, so every child is pending when the join starts.
aio::coro<int> worker(int i) {
  co_await aio::sleep(0s);
  co_return i;
}

double thread_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Times one spawn + join per benchmark iteration and turns the totals into per-child counters.
class meter {
 public:
  explicit meter(benchmark::State& st) : m_state(st), m_n(static_cast<std::size_t>(st.range(0))) {}
  [[nodiscard]] int n() const noexcept { return static_cast<int>(m_n); }

  void begin() noexcept {
    m_start_live = t_counts.live;
    t_counts.peak = t_counts.live;
    m_before = t_counts;
    m_t0 = thread_ns();
  }
  void end(long sum) {
    m_ns += thread_ns() - m_t0;
    m_heap_calls += t_counts.heap_calls - m_before.heap_calls;
    m_heap_bytes += t_counts.heap_bytes - m_before.heap_bytes;
    m_frame_calls += t_counts.frame_calls - m_before.frame_calls;
    m_frame_bytes += t_counts.frame_bytes - m_before.frame_bytes;
    m_peak = std::max(m_peak, t_counts.peak - m_start_live);
    ++m_rounds;
    const long want = static_cast<long>(m_n) * static_cast<long>(m_n - 1) / 2;
    if (sum != want) m_state.SkipWithError("wrong sum");
  }
  ~meter() {
    if (m_rounds == 0) return;
    const double children = static_cast<double>(m_rounds) * static_cast<double>(m_n);
    m_state.counters["ns"] = m_ns / children;
    m_state.counters["B_alloc"] = static_cast<double>(m_heap_bytes + m_frame_bytes) / children;
    m_state.counters["B_peak"] = static_cast<double>(m_peak) / static_cast<double>(m_n);
    m_state.counters["heap"] = static_cast<double>(m_heap_calls) / children;
    m_state.counters["frames"] = static_cast<double>(m_frame_calls) / children;
  }
  meter(const meter&) = delete;
  meter& operator=(const meter&) = delete;

 private:
  benchmark::State& m_state;
  std::size_t m_n;
  alloc_counts m_before;
  double m_t0 = 0;
  std::size_t m_start_live = 0;
  double m_ns = 0;
  std::size_t m_heap_calls = 0, m_heap_bytes = 0, m_frame_calls = 0, m_frame_bytes = 0, m_peak = 0;
  std::size_t m_rounds = 0;
};

std::vector<aio::task<int>> spawn(int n) {
  std::vector<aio::task<int>> tasks;
  tasks.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) tasks.push_back(aio::create_task(worker(i)));
  return tasks;
}

// Runs n children once before the timed rounds, so that every variant finds the frame allocator's
// slabs and malloc's heap as a long-running program does; otherwise whichever benchmark first runs
// N = 10^6 pays the page faults of 10^8 fresh bytes (bench/RESULTS.md's W1 section measures that
// cold case, whole process).
aio::coro<> warm_up(int n) {
  std::vector<aio::task<int>> tasks = spawn(n);
  for (auto& t : tasks) co_await std::move(t);
}

// The baseline: W1's join, each task awaited in turn.
aio::coro<> one_by_one(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      std::vector<aio::task<int>> tasks = spawn(m.n());
      for (auto& t : tasks) sum += co_await std::move(t);
    }
    m.end(sum);
  }
}

aio::coro<> gather_range(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      std::vector<aio::task<int>> tasks = spawn(m.n());
      const std::vector<int> results = co_await aio::gather(std::move(tasks));
      for (const int r : results) sum += r;
    }
    m.end(sum);
  }
}

// The range shared rather than taken over (an lvalue vector): one task pointer per child.
aio::coro<> gather_range_lvalue(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      std::vector<aio::task<int>> tasks = spawn(m.n());
      const std::vector<int> results = co_await aio::gather(tasks);
      for (const int r : results) sum += r;
    }
    m.end(sum);
  }
}

aio::coro<> gather_return_exceptions(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      std::vector<aio::task<int>> tasks = spawn(m.n());
      std::vector<aio::result<int>> results = co_await aio::gather(aio::return_exceptions, std::move(tasks));
      for (auto& r : results) sum += r.value();
    }
    m.end(sum);
  }
}

// Ten coros as arguments, as users write a fixed gather; the one-by-one counterpart at N = 10 is
// one_by_one/10 (ten create_task calls, then ten awaits).
aio::coro<> gather_tuple10(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      auto [a, b, c, d, e, f, g, h, i, j] =
          co_await aio::gather(worker(0), worker(1), worker(2), worker(3), worker(4), worker(5), worker(6),
                               worker(7), worker(8), worker(9));
      sum = a + b + c + d + e + f + g + h + i + j;
    }
    m.end(sum);
  }
}

aio::coro<> gather_tuple10_return_exceptions(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      auto all = co_await aio::gather(aio::return_exceptions, worker(0), worker(1), worker(2), worker(3),
                                      worker(4), worker(5), worker(6), worker(7), worker(8), worker(9));
      std::apply([&sum](auto&... r) { ((sum += r.value()), ...); }, all);
    }
    m.end(sum);
  }
}

aio::coro<> wait_all(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      std::vector<aio::task<int>> tasks = spawn(m.n());
      auto [done, pending] = co_await aio::wait(tasks);
      for (const auto& t : done) sum += t.result();
    }
    m.end(sum);
  }
}

aio::coro<> as_completed(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      std::vector<aio::task<int>> tasks = spawn(m.n());
      for (auto next : aio::as_completed(tasks)) sum += co_await next;
    }
    m.end(sum);
  }
}

// The handles are kept to read the results after the group, as asyncio users keep tg.create_task's.
aio::coro<> task_group(benchmark::State& st) {
  meter m(st);
  co_await warm_up(m.n());
  for (auto _ : st) {
    m.begin();
    long sum = 0;
    {
      std::vector<aio::task<int>> tasks;
      tasks.reserve(static_cast<std::size_t>(m.n()));
      co_await aio::task_group::run([&tasks, &m](aio::task_group& tg) -> aio::coro<> {
        for (int i = 0; i < m.n(); ++i) tasks.push_back(tg.create_task(worker(i)));
        co_return;
      });
      for (const auto& t : tasks) sum += t.result();
    }
    m.end(sum);
  }
}

template <aio::coro<> (*Body)(benchmark::State&)>
void bm(benchmark::State& state) {
  aio::run(Body(state));
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(10)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMicrosecond);
}

BENCHMARK(bm<one_by_one>)->Name("one_by_one")->Apply(sizes);
BENCHMARK(bm<gather_tuple10>)->Name("gather_tuple10")->Arg(10)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm<gather_tuple10_return_exceptions>)
    ->Name("gather_tuple10_return_exceptions")
    ->Arg(10)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(bm<gather_range>)->Name("gather_range")->Apply(sizes);
BENCHMARK(bm<gather_range_lvalue>)->Name("gather_range_lvalue")->Apply(sizes);
BENCHMARK(bm<gather_return_exceptions>)->Name("gather_return_exceptions")->Apply(sizes);
BENCHMARK(bm<wait_all>)->Name("wait")->Apply(sizes);
BENCHMARK(bm<as_completed>)->Name("as_completed")->Apply(sizes);
BENCHMARK(bm<task_group>)->Name("task_group")->Apply(sizes);

}  // namespace
