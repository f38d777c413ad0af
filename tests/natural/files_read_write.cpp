// aiofiles README: open, write, then iterate the lines.
//
//     async with aiofiles.open('filename', mode='w') as f:
//         await f.write('...')
//     async with aiofiles.open('filename') as f:
//         async for line in f: ...
#include <aio/aio.hpp>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

aio::coro<> main_() {
  const auto path =
      std::filesystem::temp_directory_path() / ("aio-natural-" + std::to_string(::getpid()) + ".txt");
  auto out = co_await aio::files::open(path.string(), "w");
  for (int i = 0; i < 100; ++i) co_await out.write("line " + std::to_string(i) + "\n");
  co_await out.close();

  auto in = co_await aio::files::open(path.string(), "r");
  std::vector<std::string> lines;
  while (auto line = co_await in.next_line()) lines.push_back(*line);
  co_await in.close();
  if (lines.size() != 100 || lines[99] != "line 99\n") throw std::runtime_error("wrong lines read back");

  if ((co_await aio::files::stat(path.string())).size != 790) throw std::runtime_error("wrong size");
  co_await aio::files::write_text(path.string(), "replaced");
  if (co_await aio::files::read_text(path.string()) != "replaced") throw std::runtime_error("write_text");
  co_await aio::files::remove(path.string());
  if (co_await aio::files::exists(path.string())) throw std::runtime_error("remove left the file");
}

int main() { aio::run(main_()); }
