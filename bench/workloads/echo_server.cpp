// W3 echo server for ../shared/peers/run.sh (EXTRA_ECHO_SERVER_CMD): `aio_echo_server PORT` listens on
// 127.0.0.1:PORT and echoes every byte back, written the way an asyncio user writes it:
//
//     async def handle(reader, writer):
//         while data := await reader.read(65536):
//             writer.write(data)
//             await writer.drain()
//
// AIO_BACKEND=epoll|io_uring selects the backend (default: automatic).

#include <aio/aio.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

aio::coro<> handle(aio::stream_reader reader, aio::stream_writer writer) {
  for (;;) {
    std::string data = co_await reader.read(65536);
    if (data.empty()) break;
    writer.write(data);
    co_await writer.drain();
  }
}

aio::coro<> serve(std::uint16_t port) {
  aio::server srv = co_await aio::start_server(&handle, "127.0.0.1", port, {.backlog = 1024});
  std::fprintf(stderr, "aio echo server on 127.0.0.1:%u (%s)\n", srv.port(),
               aio::get_running_loop().backend_name());
  co_await srv.serve_forever();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  aio::run(serve(static_cast<std::uint16_t>(std::atoi(argv[1]))));
}
