// A semaphore lets at most 3 of 10 jobs run at a time.
//
//     sem = asyncio.Semaphore(3)
//
//     async def job(i):
//         async with sem:
//             print(f'job {i} started')
//             await asyncio.sleep(1)
//             print(f'job {i} finished')
//
//     await asyncio.gather(*(job(i) for i in range(1, 11)))
//
// The jobs run in four waves (3 + 3 + 3 + 1), so the whole takes 4 s rather than 1 s or 10 s.

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {
struct stats {
  int running = 0;
  int most = 0;
};

aio::coro<> job(int i, aio::semaphore& sem, stats& s, std::ostream& out) {
  auto held = co_await aio::scoped(sem);
  s.most = std::max(s.most, ++s.running);
  out << "job " << i << " started\n";
  co_await aio::sleep(1s);
  out << "job " << i << " finished\n";
  --s.running;
}
}  // namespace

aio::coro<> semaphore_main(std::ostream& out) {
  aio::semaphore sem(3);
  stats s;
  std::vector<aio::coro<>> jobs;
  for (int i = 1; i <= 10; ++i) jobs.push_back(job(i, sem, s, out));
  co_await aio::gather(std::move(jobs));
  out << "at most " << s.most << " jobs ran at once\n";
}

#ifndef AIO_TOUR
int main() { aio::run(semaphore_main(std::cout)); }
#endif
