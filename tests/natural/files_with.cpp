// aiofiles: `async with aiofiles.open(...) as f:` closes the file on every way out, also on error.
//
//     async with aiofiles.open(path, 'w') as f:
//         await f.write('hello')
#include <aio/aio.hpp>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

aio::coro<> main_() {
  const auto path =
      std::filesystem::temp_directory_path() / ("aio-natural-with-" + std::to_string(::getpid()));
  co_await aio::with(co_await aio::files::open(path.string(), "w"), [&](aio::files::file& f) -> aio::coro<> {
    co_await f.write("hello ");
    co_await f.write("world");
  });
  if (co_await aio::files::read_text(path.string()) != "hello world") throw std::runtime_error("not written");

  bool rethrown = false;
  try {
    co_await aio::with(co_await aio::files::open(path.string(), "a"),
                       [&](aio::files::file& f) -> aio::coro<> {
                         co_await f.write("!");
                         throw std::runtime_error("inside the block");
                       });
  } catch (const std::runtime_error& e) {
    rethrown = std::string(e.what()) == "inside the block";
  }
  if (!rethrown) throw std::runtime_error("the block's exception was lost");
  if (co_await aio::files::read_text(path.string()) != "hello world!") throw std::runtime_error("not closed");
  co_await aio::files::remove(path.string());
}

int main() { aio::run(main_()); }
