// asyncio docs, "Subprocesses": feed stdin and read stdout at once without deadlock.
//
//     proc = await asyncio.create_subprocess_exec("sort", stdin=PIPE, stdout=PIPE)
//     out, _ = await proc.communicate(b"pear\napple\nfig\n")
#include <aio/aio.hpp>

#include <stdexcept>
#include <string>

aio::coro<> main_() {
  aio::process sort =
      co_await aio::create_subprocess_exec("sort", {.stdin_ = aio::pipe, .stdout_ = aio::pipe});
  auto [out, err] = co_await sort.communicate("pear\napple\nfig\n");
  if (out != "apple\nfig\npear\n") throw std::runtime_error("sort gave: " + out);
  std::string big(1 << 20, 'x');  // larger than a pipe: communicate must write and read together
  aio::process cat = co_await aio::create_subprocess_exec("cat", {.stdin_ = aio::pipe, .stdout_ = aio::pipe});
  auto [copy, cat_err] = co_await cat.communicate(big);
  if (copy != big || co_await cat.wait() != 0) throw std::runtime_error("cat lost bytes");
}

int main() { aio::run(main_()); }
