// asyncio docs, "Subprocesses": create_subprocess_exec(program, *args, stdout=PIPE).
//
//     proc = await asyncio.create_subprocess_exec("echo", "a", "b", stdout=asyncio.subprocess.PIPE)
//     out, err = await proc.communicate()
#include <aio/aio.hpp>

#include <stdexcept>
#include <string>

aio::coro<> main_() {
  aio::process p = co_await aio::create_subprocess_exec("echo", "a", "b", {.stdout_ = aio::pipe});
  auto [out, err] = co_await p.communicate();
  if (out != "a b\n" || !err.empty()) throw std::runtime_error("wrong output: " + out);
  if (p.returncode() != 0) throw std::runtime_error("echo failed");
}

int main() { aio::run(main_()); }
