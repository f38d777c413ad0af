// as_completed: take results in the order they finish, not the order they were started.
//
//     tasks = [asyncio.create_task(work(name, delay)) for name, delay in (('slow', 3), ('fast', 1),
//     ('medium', 2))] for next_done in asyncio.as_completed(tasks):
//         print(await next_done)

#include <aio/aio.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {
aio::coro<std::string> work(std::string name, std::chrono::seconds delay) {
  co_await aio::sleep(delay);
  co_return name;
}
}  // namespace

aio::coro<> as_completed_main(std::ostream& out) {
  const auto start = aio::get_running_loop().time();
  std::vector<aio::task<std::string>> tasks;
  tasks.push_back(aio::create_task(work("slow", 3s)));
  tasks.push_back(aio::create_task(work("fast", 1s)));
  tasks.push_back(aio::create_task(work("medium", 2s)));
  for (auto next : aio::as_completed(tasks)) {
    const std::string name = co_await next;
    const double t = std::chrono::duration<double>(aio::get_running_loop().time() - start).count();
    out << "after " << std::fixed << std::setprecision(0) << t << " s: " << name << "\n";
  }
}

#ifndef AIO_TOUR
int main() { aio::run(as_completed_main(std::cout)); }
#endif
