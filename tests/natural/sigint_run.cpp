// asyncio docs, "Handling Keyboard Interruption": Ctrl+C cancels the main task, its clean-up runs,
// then the process ends as killed by SIGINT (Python's unhandled KeyboardInterrupt).
//
//     async def main():
//         try: await asyncio.sleep(3600)
//         finally: print("cleanup")
//     asyncio.run(main())      # then Ctrl+C
#include <aio/aio.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

aio::coro<> child_main() {
  std::cout << "ready" << std::endl;
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error&) {
    std::cout << "cleanup" << std::endl;
    throw;
  }
}

aio::coro<> parent_main(std::string self) {
  aio::process p = co_await aio::create_subprocess_shell("exec " + self + " child", {.stdout_ = aio::pipe});
  if (co_await p.stdout_().readline() != "ready\n") throw std::runtime_error("the child did not start");
  p.send_signal(SIGINT);  // what Ctrl+C sends
  std::string rest = co_await p.stdout_().read();
  int code = co_await aio::wait_for(p.wait(), 10s);
  if (rest != "cleanup\n") throw std::runtime_error("the main task's clean-up did not run: '" + rest + "'");
  if (code != -SIGINT) throw std::runtime_error("exit status " + std::to_string(code) + ", not -SIGINT");
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "child") {
    aio::run(child_main());
    return 3;  // not reached: SIGINT ends the process
  }
  char self[4096] = {};
  if (::readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return 2;
  aio::run(parent_main(self));
}
