// A task group whose children fail: every failure comes out together as one exception group.
//
//     async def fail(name):
//         raise ValueError(f'{name}: bad value')
//
//     try:
//         async with asyncio.TaskGroup() as tg:
//             tg.create_task(fail('first'))
//             tg.create_task(fail('second'))
//             tg.create_task(long_job())
//     except* ValueError as eg:
//         for e in eg.exceptions: print(e)
//
// C++ has no ValueError, nor `except*`: std::invalid_argument plays ValueError, and
// exception_group::split<E>() picks out the members of type E. The first failure cancels the group's
// other children (the long job) before the group rethrows.

#include <aio/aio.hpp>
#include <chrono>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::coro<> fail(std::ostream& out, std::string name) {
  out << name << ": throwing invalid_argument\n";
  throw std::invalid_argument(name + ": bad value");
  co_return;
}

aio::coro<> long_job(std::ostream& out) {
  out << "long job: started\n";
  try {
    co_await aio::sleep(10s);
  } catch (const aio::cancelled_error&) {
    out << "long job: cancelled by the group\n";
    throw;
  }
  out << "long job: finished\n";
}
}  // namespace

aio::coro<> exception_group_main(std::ostream& out) {
  try {
    co_await aio::task_group::run([&out](aio::task_group& tg) -> aio::coro<> {
      tg.create_task(fail(out, "first"));
      tg.create_task(fail(out, "second"));
      tg.create_task(long_job(out));
      co_return;
    });
  } catch (const aio::exception_group& group) {
    out << "caught an exception group of " << group.exceptions().size() << "\n";
    for (const auto& e : group.split<std::invalid_argument>()) {
      try {
        std::rethrow_exception(e);
      } catch (const std::invalid_argument& v) {
        out << "  invalid_argument: " << v.what() << "\n";
      }
    }
  }
}

#ifndef AIO_TOUR
int main() { aio::run(exception_group_main(std::cout)); }
#endif
