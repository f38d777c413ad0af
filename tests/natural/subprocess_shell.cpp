// asyncio docs, "Subprocesses": run a shell command and collect its output.
//
//     proc = await asyncio.create_subprocess_shell(cmd, stdout=PIPE, stderr=PIPE)
//     stdout, stderr = await proc.communicate()
//     print(f'[{cmd!r} exited with {proc.returncode}]')
#include <aio/aio.hpp>

#include <stdexcept>
#include <string>

aio::coro<> main_() {
  aio::process proc = co_await aio::create_subprocess_shell("echo out; echo err >&2; exit 3",
                                                            {.stdout_ = aio::pipe, .stderr_ = aio::pipe});
  auto [out, err] = co_await proc.communicate();
  if (out != "out\n" || err != "err\n") throw std::runtime_error("wrong output: " + out + "|" + err);
  if (proc.returncode() != 3) throw std::runtime_error("wrong exit status");
}

int main() { aio::run(main_()); }
