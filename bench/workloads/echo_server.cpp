// W3 echo server for ../shared/peers/run.sh (EXTRA_ECHO_SERVER_CMD) and bench/scaling.sh:
// `aio_echo_server PORT [WORKERS]` listens on 127.0.0.1:PORT and echoes every byte back, written the
// way an asyncio user writes it:
//
//     async def handle(reader, writer):
//         while data := await reader.read(65536):
//             writer.write(data)
//             await writer.drain()
//
// WORKERS > 1 runs that many event loops, one per thread, each with its own listening socket on the
// same port (SO_REUSEPORT; the kernel spreads the connections), as run_app(workers = N) does for HTTP.
// AIO_BACKEND=epoll|io_uring selects the backend (default: automatic).

#include <aio/aio.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

aio::coro<> handle(aio::stream_reader reader, aio::stream_writer writer) {
  for (;;) {
    std::string data = co_await reader.read(65536);
    if (data.empty()) break;
    writer.write(data);
    co_await writer.drain();
  }
}

aio::coro<> serve(std::uint16_t port, bool reuse_port) {
  aio::server srv =
      co_await aio::start_server(&handle, "127.0.0.1", port, {.backlog = 1024, .reuse_port = reuse_port});
  std::fprintf(stderr, "aio echo server on 127.0.0.1:%u (%s)\n", srv.port(),
               aio::get_running_loop().backend_name());
  co_await srv.serve_forever();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s PORT [WORKERS]\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const int workers = argc == 3 ? std::atoi(argv[2]) : 1;
  if (workers < 1) {
    std::fprintf(stderr, "WORKERS must be at least 1\n");
    return 2;
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < workers; ++i) {
    threads.emplace_back([port] { aio::run(serve(port, true), {.handle_sigint = false}); });
  }
  aio::run(serve(port, workers > 1));
  for (auto& t : threads) t.join();
}
