#pragma once
// A raw HTTP/1.1 client for the server tests: sends bytes as given (so tests can send malformed or
// pipelined requests) and parses responses with aio's response parser; and a multipart/byteranges
// splitter (the unit and the curl tests of file_response).

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../../../src/http/parser.hpp"
#include "aio/aio.hpp"
#include "test_support.hpp"

namespace server_test {

struct reply {
  int status = 0;
  aio::http::headers headers;
  std::string body;
  bool keep_alive = true;
};

class raw_client {
 public:
  static aio::coro<raw_client> connect(std::uint16_t port) {
    auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
    raw_client c;
    c.m_reader = std::move(r);
    c.m_writer = std::move(w);
    co_return c;
  }
  void send(std::string_view bytes) { m_writer.write(bytes); }
  /// Reads one response (`head`: it answers a HEAD request). Status 0 when the server closed first.
  aio::coro<reply> response(bool head = false) {
    m_parser->expect_head_response(head);
    reply out;
    for (;;) {
      for (;;) {
        auto [n, ev] = m_parser->feed(m_buf);
        std::string_view piece =
            ev == aio::http::detail::parse_event::body ? m_parser->body() : std::string_view();
        if (!piece.empty()) out.body.append(piece);
        m_buf.erase(0, n);
        if (ev == aio::http::detail::parse_event::head) {
          out.status = m_parser->head().status;
          out.headers = m_parser->head().headers;
          out.keep_alive = m_parser->head().keep_alive;
          if (aio::http::is_informational(out.status)) out.status = 0;
        } else if (ev == aio::http::detail::parse_event::message_complete) {
          if (out.status != 0) co_return out;
        } else if (ev == aio::http::detail::parse_event::error) {
          ADD_FAILURE() << "bad response: " << m_parser->error().reason;
          co_return out;
        } else if (ev == aio::http::detail::parse_event::need_more) {
          break;
        }
      }
      std::string more = co_await m_reader.read(65536);
      if (more.empty()) {
        if (m_parser->finish() == aio::http::detail::parse_event::message_complete && out.status != 0)
          co_return out;
        co_return reply{};
      }
      m_buf += more;
    }
  }
  aio::coro<reply> request(std::string_view bytes, bool head = false) {
    send(bytes);
    co_return co_await response(head);
  }
  /// True when the server closed the connection (after any bytes left).
  aio::coro<bool> at_eof() {
    for (;;) {
      std::string more = co_await m_reader.read(65536);
      if (more.empty()) co_return true;
    }
  }
  /// Everything the server sends until it closes.
  aio::coro<std::string> read_all() {
    std::string all = m_buf;
    m_buf.clear();
    all += co_await m_reader.read();
    co_return all;
  }
  void close() { m_writer.close(); }
  aio::stream_writer& writer() { return m_writer; }
  aio::stream_reader& reader() { return m_reader; }

 private:
  aio::stream_reader m_reader;
  aio::stream_writer m_writer;
  std::unique_ptr<aio::http::detail::response_parser> m_parser =
      std::make_unique<aio::http::detail::response_parser>();
  std::string m_buf;
};

/// One part of a multipart/byteranges body.
struct part {
  std::string content_type;
  std::string content_range;
  std::string data;
};

/// Splits a multipart/byteranges body (RFC 9110 14.6) by the boundary named in `content_type`.
inline std::vector<part> parse_byteranges(std::string_view content_type, const std::string& body) {
  std::vector<part> parts;
  const std::size_t b = content_type.find("boundary=");
  if (!content_type.starts_with("multipart/byteranges") || b == std::string_view::npos) return parts;
  const std::string delim = "--" + std::string(content_type.substr(b + 9));
  std::size_t pos = body.find(delim);
  while (pos != std::string::npos) {
    pos += delim.size();
    if (body.compare(pos, 2, "--") == 0) break;  // the closing delimiter
    const std::size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string::npos) break;
    part p;
    const std::string head = body.substr(pos, head_end - pos);
    auto field = [&head](const std::string& name) {
      const std::size_t at = head.find(name + ": ");
      if (at == std::string::npos) return std::string();
      const std::size_t end = head.find("\r\n", at);
      return head.substr(at + name.size() + 2,
                         end == std::string::npos ? std::string::npos : end - at - name.size() - 2);
    };
    p.content_type = field("Content-Type");
    p.content_range = field("Content-Range");
    const std::size_t next = body.find("\r\n" + delim, head_end + 4);
    if (next == std::string::npos) break;
    p.data = body.substr(head_end + 4, next - head_end - 4);
    parts.push_back(std::move(p));
    pos = next + 2;
  }
  return parts;
}

}  // namespace server_test
