// aio::http::stream_response: a head now, body pieces later (chunked or with a known length).

#include "aio/http/server/stream_response.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "../compression.hpp"
#include "../serialize.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/status.hpp"
#include "compress_response.hpp"
#include "connection.hpp"
#include "head_writer.hpp"

namespace aio::http {

void detail::compressor_deleter::operator()(compressor* c) const noexcept { delete c; }

stream_response::stream_response(stream_response&&) noexcept = default;
stream_response& stream_response::operator=(stream_response&&) noexcept = default;
stream_response::~stream_response() = default;

void stream_response::start_compression(request& req) {
  const content_coding coding =
      detail::choose_response_coding(m_compress_force, m_status, m_headers, req.headers());
  detail::mark_response_coding(m_headers, coding, !m_compress_force.has_value());
  if (coding == content_coding::identity) return;
  m_length.reset();  // the compressed length is unknown until the end
  if (!m_no_body)
    m_compressor.reset(new detail::compressor(coding));  // NOLINT(cppcoreguidelines-owning-memory)
}

// The coroutines below avoid a `co_return` before their first `co_await`: clang-tidy's analyzer
// misreads the promise on that path ("garbage value"); the synchronous work is in helpers.

void stream_response::send_head(request& req) {
  detail::http_connection& conn = req.connection();
  if (conn.head_sent()) throw std::logic_error("aio.http: a response was already sent for this request");
  const bool http10 = req.version().minor == 0;
  m_no_body = req.method() == "HEAD" || status_has_no_body(m_status);
  if (m_compress) start_compression(req);
  bool close = conn.must_close();
  detail::head_spec spec;
  spec.status = m_status;
  spec.reason = m_reason;
  spec.fields = &m_headers;
  spec.content_type = m_content_type.empty() ? std::string_view("application/octet-stream") : m_content_type;
  if (m_length) {
    spec.framing = detail::body_framing_kind::length;
    spec.length = *m_length;
  } else if (http10) {
    spec.framing = detail::body_framing_kind::until_close;
    close = !m_no_body || close;
  } else {
    spec.framing = detail::body_framing_kind::chunked;
    m_chunked = !m_no_body;
  }
  spec.connection = close    ? detail::connection_header::close
                    : http10 ? detail::connection_header::keep_alive
                             : detail::connection_header::none;
  std::string& out = conn.out();
  const std::size_t mark = out.size();
  try {
    detail::write_server_head(out, spec);
  } catch (...) {
    out.resize(mark);
    throw;
  }
  conn.flush();
  conn.mark_head_sent(!close, spec.status);
  m_conn = &conn;
}

bool stream_response::send_piece(std::string_view data) {
  if (m_conn == nullptr) throw std::logic_error("aio.http: stream_response::write() before prepare()");
  if (m_eof) throw std::logic_error("aio.http: stream_response::write() after write_eof()");
  if (m_no_body || data.empty()) return false;
  if (m_length && data.size() > *m_length - m_written) {
    throw std::logic_error("aio.http: stream_response body longer than its Content-Length");
  }
  m_written += data.size();
  if (m_compressor) {
    std::string packed;
    m_compressor->feed(data, packed);
    send_body_bytes(packed);
  } else {
    send_body_bytes(data);
  }
  return true;
}

void stream_response::send_body_bytes(std::string_view wire) {
  if (wire.empty()) return;  // an empty chunk would end a chunked body
  if (m_chunked) {
    detail::write_chunk(m_conn->out(), wire);
    m_conn->flush();
  } else {
    m_conn->writer().write(wire);
  }
}

void stream_response::end_body() {
  m_eof = true;
  if (m_compressor) {
    std::string rest;
    m_compressor->finish(rest);
    send_body_bytes(rest);
  }
  if (m_chunked) {
    detail::write_last_chunk(m_conn->out());
    m_conn->flush();
  }
  // A body shorter than announced leaves the client waiting for bytes: only closing ends it.
  if (!m_length || m_written == *m_length || m_no_body) m_conn->mark_stream_finished();
}

coro<> stream_response::prepare(request& req) {
  if (m_conn == nullptr) send_head(req);  // aiohttp: prepare() twice is harmless
  co_await drain();
}

coro<> stream_response::write(std::string_view data) {
  if (send_piece(data)) co_await drain();
}

coro<> stream_response::drain() {
  if (m_conn == nullptr) co_return;
  // Bounded as the server's own responses are: a client that leaves the output unread for
  // send_timeout loses the connection, and the handler learns it here.
  // (Not `if (!co_await ...)`: g++ 12.2 -O3 then skipped this whole body; docs/design/compilers.md.)
  const bool drained = co_await m_conn->drain_output();
  if (!drained) {
    throw std::system_error(ETIMEDOUT, std::generic_category(),
                            "aio.http: the client did not read the response within send_timeout");
  }
}

coro<> stream_response::write_eof(std::string_view data) {
  if (m_conn == nullptr) throw std::logic_error("aio.http: stream_response::write_eof() before prepare()");
  if (!m_eof) {
    if (send_piece(data)) co_await drain();
    end_body();
  }
  co_await drain();
}

}  // namespace aio::http
