// asyncio docs, open_unix_connection / start_unix_server: the echo over a Unix socket.
//
//     server = await asyncio.start_unix_server(handle, path)
//     reader, writer = await asyncio.open_unix_connection(path)
#include <aio/aio.hpp>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

aio::coro<> handle(aio::stream_reader reader, aio::stream_writer writer) {
  writer.write(co_await reader.readuntil("\n"));
  co_await writer.drain();
  writer.close();
}

aio::coro<> main_() {
  const auto path =
      std::filesystem::temp_directory_path() / ("aio-natural-" + std::to_string(::getpid()) + ".sock");
  aio::server server = co_await aio::start_unix_server(handle, path.string());
  auto [reader, writer] = co_await aio::open_unix_connection(path.string());
  writer.write("over a unix socket\n");
  std::string echo = co_await reader.readexactly(19);
  writer.close();
  co_await writer.wait_closed();
  server.close();
  co_await server.wait_closed();
  std::filesystem::remove(path);
  if (echo != "over a unix socket\n") throw std::runtime_error("wrong echo: " + echo);
}

int main() { aio::run(main_()); }
