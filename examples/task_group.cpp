// task_group (asyncio.TaskGroup): structured concurrency. The group does not end until every task
// created in it has finished.
//
//     async with asyncio.TaskGroup() as tg:
//         t1 = tg.create_task(work('download', 1))
//         t2 = tg.create_task(work('resize', 2))
//         print('both tasks created')
//     print(t1.result(), t2.result())
//
// In aio the `async with` block is a body coroutine given to task_group::run.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::coro<std::string> work(std::ostream& out, std::string name, std::chrono::seconds delay) {
  out << name << ": started\n";
  co_await aio::sleep(delay);
  out << name << ": done\n";
  co_return name + " ok";
}
}  // namespace

aio::coro<> task_group_main(std::ostream& out) {
  aio::task<std::string> t1;
  aio::task<std::string> t2;
  co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
    t1 = tg.create_task(work(out, "download", 1s));
    t2 = tg.create_task(work(out, "resize", 2s));
    out << "both tasks created\n";
    co_return;
  });
  out << "the group is over, every task is done: " << t1.result() << ", " << t2.result() << "\n";
}

#ifndef AIO_TOUR
int main() { aio::run(task_group_main(std::cout)); }
#endif
