// Sequential versus concurrent "downloads": the example every tutorial uses to show why async helps.
//
//     async def fetch(page):
//         await asyncio.sleep(2)      # a 2-second network round trip
//         return f'<page {page}>'
//
//     for page in (1, 2, 3): await fetch(page)                 # ~6 s
//     await asyncio.gather(fetch(1), fetch(2), fetch(3))       # ~2 s
//
// The waits overlap only when the fetches run as tasks (gather makes each argument a task).

#include <aio/aio.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {
aio::coro<std::string> fetch(std::ostream& out, int page) {
  out << "fetching page " << page << "\n";
  co_await aio::sleep(2s);  // stands for the network round trip
  out << "page " << page << " arrived\n";
  co_return "<page " + std::to_string(page) + ">";
}

double seconds_since(aio::clock::time_point start) {
  return std::chrono::duration<double>(aio::get_running_loop().time() - start).count();
}
}  // namespace

// One after the other: each fetch starts when the previous one is done (~6 s).
aio::coro<> fetch_sequential_main(std::ostream& out) {
  const auto start = aio::get_running_loop().time();
  std::vector<std::string> pages;
  for (int page = 1; page <= 3; ++page) pages.push_back(co_await fetch(out, page));
  out << "got " << pages.size() << " pages in " << std::fixed << std::setprecision(1) << seconds_since(start)
      << " s\n";
}

// All at once: gather schedules the three fetches as tasks and waits for all of them (~2 s).
aio::coro<> fetch_concurrent_main(std::ostream& out) {
  const auto start = aio::get_running_loop().time();
  std::vector<aio::coro<std::string>> fetches;
  for (int page = 1; page <= 3; ++page) fetches.push_back(fetch(out, page));
  std::vector<std::string> pages = co_await aio::gather(std::move(fetches));
  out << "got " << pages.size() << " pages in " << std::fixed << std::setprecision(1) << seconds_since(start)
      << " s\n";
}

#ifndef AIO_TOUR
int main() {
  aio::run(fetch_sequential_main(std::cout));
  aio::run(fetch_concurrent_main(std::cout));
}
#endif
