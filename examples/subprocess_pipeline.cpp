// subprocess_pipeline: a shell pipeline and an exec'd filter fed from Python-style asyncio code.
//
//     async def main():
//         proc = await asyncio.create_subprocess_shell(
//             "printf 'pear\\napple\\nfig\\n' | sort", stdout=asyncio.subprocess.PIPE)
//         out, _ = await proc.communicate()
//         print(f"sorted: {out.decode().split()}, exit {proc.returncode}")
//
//         wc = await asyncio.create_subprocess_exec(
//             "wc", "-l", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
//         out, _ = await wc.communicate(out)
//         print(f"wc -l counted {out.decode().strip()} lines, exit {wc.returncode}")
//
// The first child is a shell pipeline (`... | sort`); its output is then fed to a second child
// (`wc -l`, the `ls | wc -l` idea with a deterministic listing) through communicate(), which writes the
// input and reads the output concurrently, so no pipe can fill up and deadlock.

#include <aio/aio.hpp>
#include <aio/process/create_subprocess.hpp>
#include <iostream>
#include <sstream>
#include <string>

aio::coro<> subprocess_pipeline_main(std::ostream& out) {
  aio::process sort =
      co_await aio::create_subprocess_shell("printf 'pear\\napple\\nfig\\n' | sort", {.stdout_ = aio::pipe});
  auto [sorted, sort_err] = co_await sort.communicate();
  std::istringstream words(sorted);
  out << "sorted:";
  for (std::string w; words >> w;) out << " " << w;
  out << ", exit " << *sort.returncode() << "\n";

  aio::process wc =
      co_await aio::create_subprocess_exec("wc", "-l", {.stdin_ = aio::pipe, .stdout_ = aio::pipe});
  auto [count, wc_err] = co_await wc.communicate(sorted);
  out << "wc -l counted " << std::stoi(count) << " lines, exit " << *wc.returncode() << "\n";
}

#ifndef AIO_TOUR
int main() { aio::run(subprocess_pipeline_main(std::cout)); }
#endif
