// W1 and W2 of ../shared/peers, one program compiled twice:
//   W1 (aio_w1_spawn, AIO_SLEEP_SECONDS=0): N tasks each yield once (sleep(0s)) and return their index;
//   W2 (aio_w2_sleep, AIO_SLEEP_SECONDS=1): N tasks each sleep 1 s on a timer and return their index.
// All are joined and the sum is checked. usage: <program> [N]; prints elapsed_s=<seconds> as the peers do.
// With AIO_GATHER=1 (aio_w1_gather, aio_w2_gather) they are joined the way asyncio users write it,
// `co_await aio::gather(std::move(tasks))`; otherwise awaited one by one.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "aio/aio.hpp"

#ifndef AIO_SLEEP_SECONDS
#error "build with -DAIO_SLEEP_SECONDS=0 (W1) or 1 (W2)"
#endif

namespace {

aio::coro<long> worker(long i) {
  co_await aio::sleep(std::chrono::seconds(AIO_SLEEP_SECONDS));
  co_return i;
}

aio::coro<long> spawn_and_join(long n) {
  std::vector<aio::task<long>> tasks;
  tasks.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) tasks.push_back(aio::create_task(worker(i)));
  long sum = 0;
#if AIO_GATHER
  const std::vector<long> results = co_await aio::gather(std::move(tasks));
  for (const long r : results) sum += r;
#else
  for (auto& t : tasks) sum += co_await std::move(t);
#endif
  co_return sum;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const auto t0 = std::chrono::steady_clock::now();
  const long sum = aio::run(spawn_and_join(n));
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (sum != n * (n - 1) / 2) {
    std::fprintf(stderr, "BAD SUM %ld\n", sum);
    return 1;
  }
  std::printf("elapsed_s=%.6f n=%ld sum=%ld\n", el, n, sum);
  return 0;
}
