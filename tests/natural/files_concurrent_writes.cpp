// aiofiles: two coroutines writing to the same open file, gathered.
//
//     async with aiofiles.open(path, 'w') as f:
//         await asyncio.gather(write_lines(f, 'a'), write_lines(f, 'b'))
#include <aio/aio.hpp>

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

aio::coro<> write_lines(aio::files::file& f, std::string tag) {
  for (int i = 0; i < 50; ++i) co_await f.write(tag + std::to_string(i) + "\n");
}

aio::coro<> main_() {
  const auto path =
      std::filesystem::temp_directory_path() / ("aio-natural-" + std::to_string(::getpid()) + ".log");
  auto f = co_await aio::files::open(path.string(), "w");
  co_await aio::gather(write_lines(f, "a"), write_lines(f, "b"));
  co_await f.close();

  std::istringstream text(co_await aio::files::read_text(path.string()));
  int a = 0, b = 0, next_a = 0, next_b = 0;
  for (std::string line; std::getline(text, line);) {
    const int n = std::stoi(line.substr(1));
    if (line[0] == 'a' && n == next_a++) ++a;
    if (line[0] == 'b' && n == next_b++) ++b;
  }
  co_await aio::files::remove(path.string());
  if (a != 50 || b != 50)
    throw std::runtime_error("lines lost or reordered: " + std::to_string(a) + ", " + std::to_string(b));
}

int main() { aio::run(main_()); }
