#pragma once
// A tiny HTTP/1.1 server for the client tests, written on aio::start_server with raw HTTP text (so
// the client is tested against exact bytes, and without depending on aio's own HTTP server). Each
// test gives a `responder` that turns a parsed request into the raw bytes to send back.

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "aio/aio.hpp"

namespace client_test {

struct raw_request {
  std::string method;
  std::string target;
  aio::http::headers headers;
  std::string body;
  int connection_index = 0;  // which accepted connection carried it (0, 1, ...)
};

/// What the server does with a request.
struct action {
  std::string bytes;         // sent as is
  bool close_after = false;  // close the connection after sending
  bool hang = false;         // send `bytes`, then wait until the client goes away
};

using responder = std::function<action(const raw_request&)>;

struct server_stats {
  int connections = 0;
  int requests = 0;
  int open = 0;
  int max_open = 0;
  std::vector<raw_request> seen;
};

/// A complete response with a Content-Length.
inline std::string response(int status, std::string_view body, std::string_view extra_headers = "",
                            std::string_view reason = "OK") {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra_headers;
  out += "\r\n";
  out += body;
  return out;
}

inline aio::coro<> serve_connection(aio::stream_reader r, aio::stream_writer w, responder respond,
                                    std::shared_ptr<server_stats> stats) {
  const int index = stats->connections++;
  stats->max_open = std::max(stats->max_open, ++stats->open);
  struct closer {
    server_stats* s;
    ~closer() { --s->open; }
  } guard{stats.get()};
  for (;;) {
    std::string head;
    try {
      head = co_await r.readuntil("\r\n\r\n");
    } catch (const std::exception&) {
      break;
    }
    raw_request req;
    req.connection_index = index;
    std::size_t pos = head.find("\r\n");
    const std::string line = head.substr(0, pos);
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    req.method = line.substr(0, sp1);
    req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    pos += 2;
    while (pos < head.size() - 2) {
      const std::size_t end = head.find("\r\n", pos);
      const std::string field = head.substr(pos, end - pos);
      const std::size_t colon = field.find(':');
      std::string value = field.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      req.headers.add(field.substr(0, colon), value);
      pos = end + 2;
    }
    // A client that goes away in the middle of its body (a cancelled upload) ends the connection, as
    // one that goes away between requests does: not a failure of the server.
    bool body_complete = true;
    try {
      if (auto cl = req.headers.get("Content-Length")) {
        req.body = co_await r.readexactly(std::stoul(std::string(*cl)));
      } else if (req.headers.get("Transfer-Encoding", "") == "chunked") {
        for (;;) {
          const std::string size_line = co_await r.readuntil("\r\n");
          const std::size_t n = std::stoul(size_line, nullptr, 16);
          if (n == 0) {
            co_await r.readuntil("\r\n");
            break;
          }
          req.body += co_await r.readexactly(n);
          co_await r.readexactly(2);
        }
      }
    } catch (const aio::incomplete_read_error&) {
      body_complete = false;
    } catch (const std::system_error&) {  // ECONNRESET
      body_complete = false;
    }
    if (!body_complete) break;
    ++stats->requests;
    stats->seen.push_back(req);
    const action a = respond(req);
    w.write(a.bytes);
    co_await w.drain();
    if (a.hang) {
      try {
        co_await r.read();
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the client reset the connection
      }
      break;
    }
    if (a.close_after) break;
  }
  w.close();
  co_await w.wait_closed();
}

/// A running test server: `url(path)`, `stats`, `co_await stop()`.
struct test_server {
  aio::server srv;
  std::shared_ptr<server_stats> stats;
  std::string host = "127.0.0.1";
  [[nodiscard]] std::string url(std::string_view path = "/") const {
    return "http://" + host + ":" + std::to_string(srv.port()) + std::string(path);
  }
  aio::coro<> stop() {
    srv.close();
    srv.close_clients();
    co_await srv.wait_closed();
  }
};

inline aio::coro<test_server> start(responder respond, aio::server_options opts = {}) {
  auto stats = std::make_shared<server_stats>();
  aio::client_connected_cb cb = [respond, stats](aio::stream_reader r, aio::stream_writer w) {
    return serve_connection(std::move(r), std::move(w), respond, stats);
  };
  aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0, std::move(opts));
  co_return test_server{std::move(srv), stats};
}

}  // namespace client_test
