// shield: give up waiting for an operation without cancelling it.
//
//     save = asyncio.create_task(critical_save())
//     try:
//         await asyncio.wait_for(asyncio.shield(save), timeout=1)
//     except TimeoutError:
//         print('gave up waiting; the save goes on')
//     print(await save)
//
// The timeout cancels only the shield around the task; the save itself runs to the end.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::coro<std::string> critical_save(std::ostream& out) {
  out << "save: writing the file (2 s)\n";
  co_await aio::sleep(2s);
  out << "save: written\n";
  co_return "saved";
}
}  // namespace

aio::coro<> shield_main(std::ostream& out) {
  auto save = aio::create_task(critical_save(out), "save");
  try {
    co_await aio::wait_for(aio::shield(save), 1s);
  } catch (const aio::timeout_error&) {
    out << "main: gave up waiting after 1 s; the save goes on\n";
  }
  const std::string result = co_await save;
  out << "main: the save finished: " << result << "\n";
}

#ifndef AIO_TOUR
int main() { aio::run(shield_main(std::cout)); }
#endif
