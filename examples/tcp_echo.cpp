// TCP echo client and server using streams (the asyncio documentation's example).
//
//     async def handle_echo(reader, writer):
//         data = await reader.read(100)
//         print(f"Received {data.decode()!r} from {writer.get_extra_info('peername')!r}")
//         writer.write(data)
//         await writer.drain()
//         writer.close()
//         await writer.wait_closed()
//
//     async def tcp_echo_client(message, port):
//         reader, writer = await asyncio.open_connection('127.0.0.1', port)
//         writer.write(message.encode())
//         await writer.drain()
//         data = await reader.read(100)
//         print(f'Received: {data.decode()!r}')
//         writer.close()
//         await writer.wait_closed()
//
// Both ends run in one program here: the server listens on a free port (port 0) of 127.0.0.1.

#include <aio/aio.hpp>
#include <iostream>
#include <string>

namespace {

aio::coro<> handle_echo(aio::stream_reader reader, aio::stream_writer writer, std::ostream& out) {
  const std::string data = co_await reader.read(100);
  const auto peer = std::any_cast<aio::socket_address>(writer.get_extra_info("peername"));
  out << "server: received '" << data << "' from " << peer.host() << "\n";
  writer.write(data);
  co_await writer.drain();
  out << "server: sent it back, closing the connection\n";
  writer.close();
  co_await writer.wait_closed();
}

aio::coro<> tcp_echo_client(std::string message, std::uint16_t port, std::ostream& out) {
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
  out << "client: send '" << message << "'\n";
  writer.write(message);
  co_await writer.drain();
  const std::string data = co_await reader.read(100);
  out << "client: received '" << data << "'\n";
  writer.close();
  co_await writer.wait_closed();
}

}  // namespace

aio::coro<> tcp_echo_main(std::ostream& out) {
  aio::client_connected_cb handler = [&out](aio::stream_reader r, aio::stream_writer w) {
    return handle_echo(std::move(r), std::move(w), out);
  };
  aio::server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
  out << "serving on 127.0.0.1\n";
  co_await tcp_echo_client("Hello World!", server.port(), out);
  server.close();
  co_await server.wait_closed();
  out << "server closed\n";
}

#ifndef AIO_TOUR
int main() { aio::run(tcp_echo_main(std::cout)); }
#endif
