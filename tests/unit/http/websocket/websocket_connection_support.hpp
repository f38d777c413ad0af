#pragma once
// Test support for websocket_connection: the HTTP upgrade done by hand over loopback TCP with the
// ws_handshake.hpp helpers (the real server and client wrap the same steps), and a connected
// client/server pair.

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/aio.hpp"

namespace ws_conn_test {

constexpr std::string_view k_head_end = "\r\n\r\n";

/// An HTTP head split into its first line and its headers (views into `text`).
struct parsed_head {
  std::string text;
  std::string_view first_line;
  std::vector<aio::http::ws_header> headers;
};

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Splits `h.text` (a head ending in CRLF CRLF) into lines.
inline void parse_head(parsed_head& h) {
  std::string_view rest = h.text;
  bool first = true;
  while (!rest.empty()) {
    const std::size_t eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 2);
    if (line.empty()) break;
    if (first) {
      h.first_line = line;
      first = false;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("bad header line");
    h.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
}

/// Reads from `r` until the end of an HTTP head; the head goes to `head`, the bytes read past it
/// are returned (what `websocket_connection` takes as `already_read`).
inline aio::coro<std::string> read_head(aio::stream_reader& r, parsed_head& head) {
  std::string buf;
  for (;;) {
    const std::size_t end = buf.find(k_head_end);
    if (end != std::string::npos) {
      head.text = buf.substr(0, end + k_head_end.size());
      parse_head(head);
      co_return buf.substr(end + k_head_end.size());
    }
    std::string chunk = co_await r.read(65536);
    if (chunk.empty()) throw std::runtime_error("EOF inside the HTTP head");
    buf += chunk;
  }
}

/// The server half of the opening handshake: reads the request, checks it, answers 101. Returns
/// the bytes read past the request head.
inline aio::coro<std::string> accept_upgrade(aio::stream_reader& r, aio::stream_writer& w) {
  parsed_head head;
  std::string rest = co_await read_head(r, head);
  const std::string_view method = head.first_line.substr(0, head.first_line.find(' '));
  const aio::http::ws_request_check check = aio::http::ws_check_request(method, head.headers);
  if (!check) {
    w.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    co_await w.drain();
    throw std::runtime_error("bad upgrade request: " + check.error);
  }
  w.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      check.accept + "\r\n\r\n");
  co_await w.drain();
  co_return rest;
}

/// The request line and headers of a client's upgrade request for `path` on `host` with `key`.
inline std::string upgrade_request(std::string_view host, std::string_view path, std::string_view key) {
  std::string req = "GET ";
  req += path;
  req += " HTTP/1.1\r\nHost: ";
  req += host;
  req += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ";
  req += key;
  req += "\r\n\r\n";
  return req;
}

/// The client half: sends the request (with `first_bytes` right behind it, in the same write) and
/// checks the answer. Returns the bytes read past the response head.
/// (No defaulted arguments: g++ 12, docs/design/compilers.md.)
inline aio::coro<std::string> client_upgrade(aio::stream_reader& r, aio::stream_writer& w, std::string host,
                                             std::string path, std::string first_bytes) {
  const std::string key = aio::http::ws_generate_key();
  w.write(upgrade_request(host, path, key) + first_bytes);
  co_await w.drain();
  parsed_head head;
  std::string rest = co_await read_head(r, head);
  // "HTTP/1.1 101 Switching Protocols"
  const std::size_t sp = head.first_line.find(' ');
  const int status =
      sp == std::string_view::npos ? 0 : std::stoi(std::string(head.first_line.substr(sp + 1, 3)));
  const aio::http::ws_response_check check = aio::http::ws_check_response(status, head.headers, key);
  if (!check) throw std::runtime_error("upgrade refused: " + check.error);
  co_return rest;
}

/// Accepted, upgraded server-side streams, handed from the server's callback to the test.
struct accepted {
  aio::stream_reader reader;
  aio::stream_writer writer;
  std::string already_read;
};
using accept_queue = aio::queue<accepted>;

inline aio::coro<> on_client(std::shared_ptr<accept_queue> q, aio::stream_reader r, aio::stream_writer w) {
  std::string rest = co_await accept_upgrade(r, w);
  q->put_nowait(accepted{std::move(r), std::move(w), std::move(rest)});
}

/// A loopback server that upgrades every connection and queues it. (Not an aggregate: g++ 12,
/// docs/design/compilers.md.)
struct upgrade_server {
  upgrade_server(std::shared_ptr<accept_queue> q, aio::server s) noexcept
      : queue(std::move(q)), server(std::move(s)) {}
  std::shared_ptr<accept_queue> queue;
  aio::server server;
};

inline aio::coro<upgrade_server> start_upgrade_server() {
  auto q = std::make_shared<accept_queue>();
  aio::client_connected_cb cb = [q](aio::stream_reader r, aio::stream_writer w) {
    return on_client(q, std::move(r), std::move(w));
  };
  std::string host = "127.0.0.1";
  aio::server srv = co_await aio::start_server(std::move(cb), std::move(host), 0);
  co_return upgrade_server(std::move(q), std::move(srv));
}

/// Raw streams of a client whose upgrade succeeded (for tests that write frames by hand).
struct raw_client {
  aio::stream_reader reader;
  aio::stream_writer writer;
  std::string already_read;
};

inline aio::coro<raw_client> connect_raw_impl(std::uint16_t port, std::string first_bytes) {
  std::string host = "127.0.0.1";
  auto [r, w] = co_await aio::open_connection(host, port);
  std::string host_port = host + ":" + std::to_string(port);
  std::string path = "/";
  std::string rest =
      co_await client_upgrade(r, w, std::move(host_port), std::move(path), std::move(first_bytes));
  raw_client c{std::move(r), std::move(w), std::move(rest)};
  co_return c;
}
inline aio::coro<raw_client> connect_raw(std::uint16_t port, std::string first_bytes = {}) {
  return connect_raw_impl(port, std::move(first_bytes));
}

/// A connected pair over loopback TCP: `client` (masks) and `server` (the accepted side).
struct ws_pair {
  upgrade_server srv;
  aio::http::websocket_connection client;
  aio::http::websocket_connection server;
};

inline aio::coro<ws_pair> make_pair_impl(aio::http::websocket_options client_opts,
                                         aio::http::websocket_options server_opts) {
  upgrade_server srv = co_await start_upgrade_server();
  raw_client c = co_await connect_raw(srv.server.port());
  accepted a = co_await srv.queue->get();
  aio::http::websocket_connection client(std::move(c.reader), std::move(c.writer), aio::http::ws_role::client,
                                         client_opts, std::move(c.already_read));
  aio::http::websocket_connection server(std::move(a.reader), std::move(a.writer), aio::http::ws_role::server,
                                         server_opts, std::move(a.already_read));
  ws_pair p{std::move(srv), std::move(client), std::move(server)};
  co_return p;
}

/// (A plain function: defaulted arguments and g++ 12, docs/design/compilers.md.)
inline aio::coro<ws_pair> make_pair(aio::http::websocket_options client_opts = {},
                                    aio::http::websocket_options server_opts = {}) {
  return make_pair_impl(client_opts, server_opts);
}

/// Closes the listening socket and waits for the connection tasks.
inline aio::coro<> stop(upgrade_server& s) {
  s.server.close();
  co_await s.server.wait_closed();
}

/// Reads one complete frame from raw streams (a server's frames: unmasked): {first byte, payload}.
inline aio::coro<std::pair<int, std::string>> read_frame(aio::stream_reader& r) {
  const std::string h = co_await r.readexactly(2);
  const int b0 = static_cast<unsigned char>(h[0]);
  std::uint64_t len = static_cast<unsigned char>(h[1]) & 0x7FU;
  const bool masked = (static_cast<unsigned char>(h[1]) & 0x80U) != 0;
  if (len == 126 || len == 127) {
    const std::string ext = co_await r.readexactly(len == 126 ? 2 : 8);
    len = 0;
    for (const char c : ext) len = (len << 8U) | static_cast<unsigned char>(c);
  }
  std::string key;
  if (masked) key = co_await r.readexactly(4);
  std::string payload = co_await r.readexactly(static_cast<std::size_t>(len));
  if (masked) {
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
  }
  co_return std::pair<int, std::string>(b0, std::move(payload));
}

/// The close code in a close frame's payload.
inline int close_code_of(std::string_view payload) {
  if (payload.size() < 2) return 0;
  return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
}

}  // namespace ws_conn_test
