// asyncio docs, "Streams": the TCP echo server and client, in one program.
//
//     async def handle_echo(reader, writer):
//         data = await reader.read(100)
//         writer.write(data); await writer.drain()
//         writer.close(); await writer.wait_closed()
//     server = await asyncio.start_server(handle_echo, '127.0.0.1', 8888)
//     reader, writer = await asyncio.open_connection('127.0.0.1', 8888)
#include <aio/aio.hpp>

#include <stdexcept>
#include <string>

aio::coro<> handle_echo(aio::stream_reader reader, aio::stream_writer writer) {
  while (true) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();
  }
  writer.close();
  co_await writer.wait_closed();
}

aio::coro<> main_() {
  aio::server server = co_await aio::start_server(handle_echo, "127.0.0.1", 0);
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.port());
  for (int i = 0; i < 3; ++i) {
    const std::string message = "Hello World " + std::to_string(i) + "!\n";
    writer.write(message);
    co_await writer.drain();
    if (co_await reader.readline() != message) throw std::runtime_error("the echo differs");
  }
  writer.write_eof();
  if (!(co_await reader.read()).empty() || !reader.at_eof()) throw std::runtime_error("expected EOF");
  writer.close();
  co_await writer.wait_closed();
  server.close();
  co_await server.wait_closed();
}

int main() { aio::run(main_()); }
