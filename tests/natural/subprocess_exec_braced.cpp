// asyncio docs, "Subprocesses": create_subprocess_exec with the arguments as a list.
//
//     proc = await asyncio.create_subprocess_exec("/bin/sh", *["-c", "echo hi"], stdout=PIPE)
//     data = await proc.stdout.readline()
//     await proc.wait()
#include <aio/aio.hpp>

#include <stdexcept>
#include <string>

aio::coro<> main_() {
  aio::process p = co_await aio::create_subprocess_exec("/bin/sh", {"-c", "echo hi"}, {.stdout_ = aio::pipe});
  std::string line = co_await p.stdout_().readline();
  int code = co_await p.wait();
  if (line != "hi\n" || code != 0) throw std::runtime_error("wrong output: " + line);
}

int main() { aio::run(main_()); }
