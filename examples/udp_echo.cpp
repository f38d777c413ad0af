// udp_echo — a UDP echo server and a client (asyncio's create_datagram_endpoint):
//
//     class EchoServer(asyncio.DatagramProtocol):
//         def connection_made(self, transport):
//             self.transport = transport
//         def datagram_received(self, data, addr):
//             print(f"server: {data.decode()!r}")
//             self.transport.sendto(data.upper(), addr)
//
//     async def main():
//         loop = asyncio.get_running_loop()
//         transport, _ = await loop.create_datagram_endpoint(EchoServer, local_addr=("127.0.0.1", 0))
//         ...  # a client endpoint with remote_addr=, sending and receiving
//
// In aio a UDP socket is an object with awaitable operations instead of a protocol's callbacks: the
// server is a task looping on recv_from/send_to; the client is a connected socket. Each datagram
// arrives whole. When the server is gone, the client's next receive reports the ICMP "port
// unreachable" as ECONNREFUSED, as Linux does for a connected UDP socket.

#include <aio/aio.hpp>
#include <aio/net/udp_socket.hpp>

#include <iostream>
#include <string>
#include <system_error>
#include <vector>

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

/// Echoes every datagram back, upper-cased, until cancelled.
aio::coro<> serve(aio::udp_socket& sock, std::ostream& out) {
  for (;;) {
    aio::datagram d = co_await sock.recv_from();
    out << "server: '" << d.data << "'" << (d.truncated ? " (truncated)" : "") << "\n";
    const std::string reply = upper(d.data);
    co_await sock.send_to(reply, d.from);
  }
}

}  // namespace

aio::coro<> udp_echo_main(std::ostream& out) {
  aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
  const std::uint16_t port = server.local_address().port();
  aio::task<void> serving = aio::create_task(serve(server, out));

  aio::udp_socket client = co_await aio::udp_socket::connect_to("127.0.0.1", port);
  const std::vector<std::string> messages{"hello", "datagrams keep", "their boundaries"};
  for (const std::string& m : messages) {
    co_await client.send(m);
    out << "client: sent '" << m << "'\n";
    const std::string reply = co_await client.recv();
    out << "client: received '" << reply << "'\n";
  }

  serving.cancel();  // stop the server task, then close its socket
  try {
    co_await serving;
  } catch (const aio::cancelled_error&) {
    out << "server: stopped\n";
  }
  server.close();

  co_await client.send("anyone there?");
  try {
    co_await client.recv();
  } catch (const std::system_error& e) {
    out << "client: " << e.code().message() << "\n";
  }
  client.close();
}

// The tour and the tests link every example together (AIO_TOUR); on its own, each is a program.
#ifndef AIO_TOUR
int main() { aio::run(udp_echo_main(std::cout)); }
#endif
