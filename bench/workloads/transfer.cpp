// The 1 GiB loopback transfer (bench/transfer.sh), written as an asyncio user writes it, against the C
// reference in bench/transfer/transfer_ref.c (same command line, same output):
//
//   aio_transfer sink PORT         start_server on 127.0.0.1:PORT, read one connection to EOF with
//                                  reader.read(65536), print "bytes=<n> elapsed_s=<s>", exit
//   aio_transfer send PORT BYTES   open_connection, write 64 KiB chunks with drain(), close
//
// AIO_BACKEND=epoll|io_uring selects the backend (default: automatic).

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct sink_state {
  long long bytes = 0;
  double elapsed_s = 0;
  aio::event done;
};

aio::coro<> drain_connection(aio::stream_reader reader, aio::stream_writer writer, sink_state* state) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    std::string data = co_await reader.read(65536);
    if (data.empty()) break;
    if (state->bytes == 0) start = std::chrono::steady_clock::now();
    state->bytes += static_cast<long long>(data.size());
  }
  state->elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  writer.close();
  state->done.set();
}

aio::coro<> sink(std::uint16_t port) {
  sink_state state;
  auto on_client = [&state](aio::stream_reader r, aio::stream_writer w) {
    return drain_connection(std::move(r), std::move(w), &state);
  };
  aio::server srv = co_await aio::start_server(on_client, "127.0.0.1", port);
  std::fprintf(stderr, "ready (%s)\n", aio::get_running_loop().backend_name());
  co_await state.done.wait();
  srv.close();
  co_await srv.wait_closed();
  std::printf("bytes=%lld elapsed_s=%.6f\n", state.bytes, state.elapsed_s);
}

aio::coro<> send(std::uint16_t port, long long bytes) {
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
  const std::string chunk(65536, 'x');
  while (bytes > 0) {
    const auto n = static_cast<std::size_t>(std::min<long long>(bytes, 65536));
    writer.write(std::string_view(chunk).substr(0, n));
    co_await writer.drain();
    bytes -= static_cast<long long>(n);
  }
  writer.close();
  co_await writer.wait_closed();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "sink") == 0) {
    aio::run(sink(static_cast<std::uint16_t>(std::atoi(argv[2]))));
    return 0;
  }
  if (argc == 4 && std::strcmp(argv[1], "send") == 0) {
    aio::run(send(static_cast<std::uint16_t>(std::atoi(argv[2])), std::atoll(argv[3])));
    return 0;
  }
  std::fprintf(stderr, "usage: %s sink PORT | send PORT BYTES\n", argv[0]);
  return 2;
}
