// g++ 12 refuses this spelling (docs/design/compilers.md, Bug 1): with g++ 12 the test checks that
// refusal, with clang++ it runs.
// asyncio docs, start_server with a callback that uses state from the enclosing scope (a closure),
// served with serve_forever in a task and stopped by cancelling it.
//
//     server = await asyncio.start_server(lambda r, w: handle(r, w, counter), '127.0.0.1', 0)
//     serve = asyncio.create_task(server.serve_forever()) ... serve.cancel()
#include <aio/aio.hpp>

#include <memory>
#include <stdexcept>
#include <string>

aio::coro<> main_() {
  auto served = std::make_shared<int>(0);
  aio::server server = co_await aio::start_server(
      [served](aio::stream_reader reader, aio::stream_writer writer) -> aio::coro<> {
        std::string name = co_await reader.readline();
        writer.write("hello " + name);
        ++*served;
        co_await writer.drain();
        writer.close();
      },
      "127.0.0.1", 0);
  auto serving = aio::create_task(server.serve_forever());
  for (std::string name : {"ann\n", "bob\n"}) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.port());
    writer.write(name);
    if (co_await reader.read() != "hello " + name) throw std::runtime_error("wrong greeting");
    writer.close();
    co_await writer.wait_closed();
  }
  serving.cancel();
  co_await aio::gather(aio::return_exceptions, serving);
  co_await server.wait_closed();
  if (*served != 2) throw std::runtime_error("served " + std::to_string(*served) + " clients");
}

int main() { aio::run(main_()); }
