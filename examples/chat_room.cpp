// A chat room on the web: GET /chat serves a page (examples/web/chat.html) that opens a WebSocket to
// /chat/ws; every message a page sends is broadcast to every open page.
//
//     room = {}                                      # WebSocketResponse -> its outbox queue
//
//     async def chat_ws(request):
//         ws = web.WebSocketResponse()
//         await ws.prepare(request)
//         name = request.query.get('name', 'guest')
//         room[ws] = outbox = asyncio.Queue()
//         broadcast(f'* {name} joined')
//         async with asyncio.TaskGroup() as tg:
//             tg.create_task(send_all(ws, outbox))   # this member's messages, in order
//             async for msg in ws:
//                 broadcast(f'{name}: {msg.data}')
//             outbox.shutdown()
//         del room[ws]
//         broadcast(f'* {name} left')
//         return ws
//
// Each member has its own outbox queue, so a slow page never holds up the others.
//
// In the tour, two scripted WebSocket clients, alice and bob, talk. `chat_room --serve [PORT]` keeps
// the room open for browsers (until Ctrl-C): open http://127.0.0.1:PORT/chat in two windows.
// tests/browser does exactly that with headless Chromium.

#include <aio/aio.hpp>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <list>
#include <string>
#include <string_view>
#include <utility>

#include "chat_page.hpp"
#include "httpbin.hpp"

namespace {

using aio::http::request;
using aio::http::response;

class chat_room {
 public:
  /// GET /chat (the page) and GET /chat/ws (a member's WebSocket).
  void add_routes(aio::http::router& router) {
    router.add_get("/chat", [](request&) -> aio::coro<response> {
      co_return aio::http::text_response(std::string(aio_examples::k_chat_page), 200,
                                         "text/html; charset=utf-8");
    });
    router.add_get("/chat/ws", [this](request& req) { return member_session(req); });
  }

  [[nodiscard]] std::size_t size() const noexcept { return m_members.size(); }
  /// Returns once nobody is in the room.
  aio::coro<> wait_empty() {
    while (!m_members.empty()) {
      m_changed.clear();
      co_await m_changed.wait();
    }
  }

 private:
  struct member {
    explicit member(std::string n) : name(std::move(n)) {}
    std::string name;
    aio::queue<std::string> outbox;
  };

  void broadcast(const std::string& line) {
    for (auto& m : m_members) m.outbox.put_nowait(line);
  }

  /// Sends everything put in `outbox` until it is shut down.
  static aio::coro<> send_all(aio::http::websocket_connection& ws, aio::queue<std::string>& outbox) {
    try {
      for (;;) {
        const std::string line = co_await outbox.get();
        co_await ws.send_str(line);
      }
    } catch (const aio::queue_shut_down&) {  // the member left: nothing more to send
    } catch (const aio::http::ws_error&) {   // the connection is closing: the member is leaving
    }
  }

  aio::coro<response> member_session(request& req) {
    aio::http::websocket_response ws;
    co_await ws.prepare(req);
    auto& me = m_members.emplace_back(std::string(req.query("name").value_or("guest")));
    const auto self = std::prev(m_members.end());
    broadcast("* " + me.name + " joined");
    co_await aio::task_group::run([this, &ws, &me](aio::task_group& tg) -> aio::coro<> {
      tg.create_task(send_all(ws.connection(), me.outbox));
      while (auto msg = co_await ws.next()) {
        if (msg->type == aio::http::ws_msg_type::text) broadcast(me.name + ": " + msg->data);
      }
      me.outbox.shutdown();
    });
    const std::string name = me.name;
    m_members.erase(self);
    broadcast("* " + name + " left");
    m_changed.set();
    co_return ws;
  }

  std::list<member> m_members;  // a list: members stay where they are while others come and go
  aio::event m_changed;
};

struct client {
  std::string name;
  aio::http::websocket_connection ws;
};

aio::coro<client> join(aio::http::client_session& session, const aio_examples::httpbin& server,
                       std::string name) {
  const std::string url = server.ws_url("/chat/ws?name=" + name);
  auto ws = co_await session.ws_connect(url);
  co_return client{std::move(name), std::move(ws)};
}

/// Prints the next line `c` receives.
aio::coro<> see(client& c, std::ostream& out) {
  const std::string line = co_await c.ws.receive_str();
  out << c.name << " sees: " << line << "\n";
}

}  // namespace

aio::coro<> chat_room_main(std::ostream& out) {
  chat_room room;
  aio_examples::httpbin server;
  room.add_routes(server.router());
  co_await server.start();
  aio::http::client_session session;

  const std::string page_url = server.url("/chat");
  auto page = co_await session.get(page_url);
  const std::string html = co_await page.text();
  out << "GET /chat: " << page.status() << ", " << page.content_type() << ", a page that opens "
      << (html.find("new WebSocket(") != std::string::npos ? "a WebSocket" : "nothing") << "\n";

  client alice = co_await join(session, server, "alice");
  co_await see(alice, out);  // * alice joined
  client bob = co_await join(session, server, "bob");
  co_await see(alice, out);  // * bob joined
  co_await see(bob, out);

  co_await alice.ws.send_str("hi bob!");
  co_await see(alice, out);  // every page shows every message, its own too
  co_await see(bob, out);
  co_await bob.ws.send_str("hello alice");
  co_await see(alice, out);
  co_await see(bob, out);

  co_await bob.ws.close();
  co_await see(alice, out);  // * bob left
  co_await alice.ws.close();
  co_await room.wait_empty();
  out << "the room is empty\n";
  co_await session.close();
  co_await server.stop();
}

/// `chat_room --serve [PORT]`: the room (and the rest of httpbin) for browsers, until SIGINT/SIGTERM.
aio::coro<> chat_room_serve(std::uint16_t port, std::ostream& out) {
  chat_room room;
  aio_examples::httpbin server;
  room.add_routes(server.router());
  co_await server.start(port);
  out << "serving on " << server.url("/chat") << std::endl;  // (tests/browser reads this line)
  aio::event stop;
  auto& loop = aio::get_running_loop();
  loop.add_signal_handler(SIGINT, [&stop] { stop.set(); });
  loop.add_signal_handler(SIGTERM, [&stop] { stop.set(); });
  co_await stop.wait();
  loop.remove_signal_handler(SIGINT);
  loop.remove_signal_handler(SIGTERM);
  out << "stopping; " << room.size() << " members were still in the room" << std::endl;
  co_await server.stop();
}

#ifndef AIO_TOUR
int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "--serve") {
    const auto port = static_cast<std::uint16_t>(argc >= 3 ? std::atoi(argv[2]) : 8080);
    aio::run(chat_room_serve(port, std::cout));
  } else {
    aio::run(chat_room_main(std::cout));
  }
}
#endif
