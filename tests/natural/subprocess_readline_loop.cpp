// asyncio docs, "Subprocesses": read a child's output line by line as it comes, then kill a child
// that would run forever.
//
//     while line := await proc.stdout.readline(): ...
//     proc.kill(); await proc.wait()
#include <aio/aio.hpp>

#include <signal.h>

#include <stdexcept>
#include <string>
#include <vector>

aio::coro<> main_() {
  aio::process p =
      co_await aio::create_subprocess_shell("for i in 1 2 3; do echo line $i; done", {.stdout_ = aio::pipe});
  std::vector<std::string> lines;
  while (true) {
    std::string line = co_await p.stdout_().readline();
    if (line.empty()) break;
    lines.push_back(line);
  }
  if (lines.size() != 3 || lines[2] != "line 3\n") throw std::runtime_error("wrong lines");
  if (co_await p.wait() != 0) throw std::runtime_error("the loop failed");

  aio::process sleeper = co_await aio::create_subprocess_exec("sleep", "3600");
  if (sleeper.returncode()) throw std::runtime_error("sleep ended at once");
  sleeper.kill();
  if (co_await sleeper.wait() != -SIGKILL) throw std::runtime_error("kill did not kill");
}

int main() { aio::run(main_()); }
