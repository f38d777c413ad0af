// A line-based chat server over TCP: every line a client sends is broadcast to every other client.
//
//     clients = {}
//
//     async def handle(reader, writer):
//         name = (await reader.readline()).decode().strip()
//         broadcast(f'* {name} joined\n', skip=writer)
//         clients[writer] = name
//         while (line := await reader.readline()).endswith(b'\n'):
//             broadcast(f'{name}: {line.decode()}', skip=writer)
//         del clients[writer]
//         broadcast(f'* {name} left\n', skip=writer)   # an unfinished last line is dropped
//
// Three clients talk; carol disconnects in the middle of a line. The clients print what they see.

#include <aio/aio.hpp>
#include <iostream>
#include <map>
#include <string>
#include <utility>

namespace {

class chat_room {
 public:
  void broadcast(const std::string& text, const aio::stream_writer* skip) {
    for (auto& [id, member] : m_members) {
      if (&member.second != skip) member.second.write(text);
    }
  }

  aio::coro<> handle(aio::stream_reader reader, aio::stream_writer writer) {
    std::string name = co_await reader.readline();
    if (!name.empty() && name.back() == '\n') name.pop_back();
    const int id = m_next_id++;
    auto& member = m_members.emplace(id, std::pair{name, writer}).first->second;
    broadcast("* " + name + " joined\n", &member.second);
    for (;;) {
      const std::string line = co_await reader.readline();
      if (line.empty() || line.back() != '\n') break;  // EOF, possibly in the middle of a line
      broadcast(name + ": " + line, &member.second);
    }
    broadcast("* " + name + " left\n", &member.second);
    m_members.erase(id);
  }

 private:
  std::map<int, std::pair<std::string, aio::stream_writer>> m_members;
  int m_next_id = 0;
};

struct client {
  std::string name;
  aio::stream_reader reader;
  aio::stream_writer writer;
};

aio::coro<client> join(std::string name, std::uint16_t port) {
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
  writer.write(name + "\n");
  co_return client{std::move(name), std::move(reader), std::move(writer)};
}

/// Prints the next line `c` receives.
aio::coro<> see(client& c, std::ostream& out) {
  const std::string line = co_await c.reader.readline();
  out << c.name << " sees: " << line;
}

}  // namespace

aio::coro<> chat_main(std::ostream& out) {
  chat_room room;
  aio::client_connected_cb handler = [&room](aio::stream_reader r, aio::stream_writer w) {
    return room.handle(std::move(r), std::move(w));
  };
  aio::server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);

  client alice = co_await join("alice", server.port());
  client bob = co_await join("bob", server.port());
  co_await see(alice, out);  // * bob joined
  alice.writer.write("hi bob\n");
  co_await see(bob, out);

  client carol = co_await join("carol", server.port());
  co_await see(alice, out);
  co_await see(bob, out);
  carol.writer.write("hello every");  // ... and carol's connection drops mid-line
  carol.writer.close();
  co_await carol.writer.wait_closed();
  co_await see(alice, out);  // * carol left: the unfinished line was never broadcast
  co_await see(bob, out);

  bob.writer.write("bye\n");
  bob.writer.close();
  co_await see(alice, out);
  co_await see(alice, out);
  alice.writer.close();
  co_await alice.writer.wait_closed();
  server.close();
  co_await server.wait_closed();
  out << "the room is empty\n";
}

#ifndef AIO_TOUR
int main() { aio::run(chat_main(std::cout)); }
#endif
