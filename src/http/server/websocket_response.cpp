// websocket_response: the handshake, the 101, and the hand-over of the stream to a
// websocket_connection.

#include "aio/http/server/websocket_response.hpp"

#include <stdexcept>
#include <vector>

#include "aio/http/server/request.hpp"
#include "aio/http/websocket/ws_deflate_params.hpp"
#include "aio/http/websocket/ws_handshake.hpp"
#include "connection.hpp"
#include "head_writer.hpp"

namespace aio::http {

namespace {
std::vector<ws_header> fields_of(const request& req) {
  std::vector<ws_header> fields;
  fields.reserve(req.headers().size());
  for (const auto& [k, v] : req.headers()) fields.emplace_back(k, v);
  return fields;
}

ws_request_check check(const request& req) { return ws_check_request(req.method(), fields_of(req)); }
}  // namespace

bool websocket_response::can_prepare(const request& req) { return static_cast<bool>(check(req)); }

websocket_connection& websocket_response::connection() {
  if (!m_ws) throw std::logic_error("aio.http: websocket_response used before prepare()");
  return *m_ws;
}

void websocket_response::handshake(request& req) {
  ws_request_check c = check(req);
  if (!c) {
    http_error e(c.status, std::to_string(c.status) + ": " + c.error);
    if (c.status == 426) e.headers().set("Sec-WebSocket-Version", "13");
    throw e;
  }
  detail::http_connection& conn = req.connection();
  if (conn.head_sent()) throw std::logic_error("aio.http: a response was already sent for this request");
  for (const std::string& mine : m_protocols) {
    for (const std::string& offered : c.protocols) {
      if (m_protocol.empty() && mine == offered) m_protocol = mine;
    }
  }
  headers fields;
  fields.add("Upgrade", "websocket");
  fields.add("Sec-WebSocket-Accept", std::move(c.accept));
  if (!m_protocol.empty()) fields.add("Sec-WebSocket-Protocol", m_protocol);
  std::optional<ws_deflate_params> deflate;
  if (m_opts.compress) {
    if (auto agreed = ws_negotiate_deflate(fields_of(req))) {
      deflate = agreed->first;
      fields.add("Sec-WebSocket-Extensions", std::move(agreed->second));
    }
  }
  detail::head_spec spec;
  spec.status = 101;
  spec.fields = &fields;
  spec.connection = detail::connection_header::upgrade;
  detail::write_server_head(conn.out(), spec);
  conn.flush();
  conn.mark_head_sent(false, 101);
  conn.detach();
  // Frames the client sent right behind its request are already in the read buffer.
  aio::detail::byte_buffer& buf = conn.reader().transport()->read_buffer();
  std::string already_read = buf.take(buf.size());
  m_ws.emplace(conn.reader(), conn.writer(), ws_role::server, m_opts, std::move(already_read), deflate);
  m_writer = conn.writer();
}

// No `co_return` before the first `co_await` (see stream_response.cpp: clang-tidy's analyzer).
coro<> websocket_response::prepare(request& req) {
  if (!m_ws) handshake(req);
  co_await m_writer.drain();
}

}  // namespace aio::http
