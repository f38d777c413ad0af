// client_response and its body: decoding straight out of the connection's read buffer, giving the
// connection back to the pool at the end of the message, closing it on any failure or cancellation.

#include "aio/http/client/client_response.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <exception>

#include "aio/combinators/wait_for.hpp"
#include "aio/detail/coop_budget.hpp"
#include "aio/http/client/client_errors.hpp"
#include "aio/http/content_type.hpp"
#include "aio/time/sleep.hpp"
#include "session_state.hpp"

namespace aio::http {

namespace detail {

std::string response_body::take(std::size_t n) {
  n = std::min(n, available());
  std::string out(pending, pending_off, n);
  pending_off += n;
  if (pending_off == pending.size()) {
    pending.clear();
    pending_off = 0;
  }
  return out;
}

void response_body::finish(bool reusable) {
  complete = true;
  std::exception_ptr failure;
  if (decoder && fed_decoder) {
    try {
      decoder->finish();
    } catch (const body_error& e) {
      failure = std::make_exception_ptr(client_payload_error(std::string("aio.http: ") + e.what()));
    }
  }
  lease.end(reusable && !failure);
  if (failure) {
    broken = true;
    std::rethrow_exception(failure);
  }
}

void response_body::abort() noexcept {
  broken = true;
  lease.end(false);
}

bool response_body::decode(std::string_view in) {
  const std::size_t room = available() < k_decode_piece ? k_decode_piece - available() : 0;
  try {
    decoder->feed(in, pending, room);
  } catch (const body_too_large_error&) {
    abort();
    throw client_payload_error("aio.http: the decompressed body exceeds max_decompress_size (" +
                               std::to_string(decoder->max_output()) + " bytes)");
  } catch (const body_error& e) {
    abort();
    throw client_payload_error(std::string("aio.http: cannot decode the body: ") + e.what());
  }
  return !decoder->has_pending();
}

void response_body::pump() {
  if (complete || broken) return;
  // Decoded output is produced k_decode_piece at a time: first what the decoder held back.
  if (decoder && decoder->has_pending() && !decode({})) return;
  client_connection& c = *lease.conn;
  aio::detail::stream_transport* t = c.transport();
  for (;;) {
    const parse_result r = c.parser.feed(t->read_buffer().view());
    t->read_buffer().consume(r.consumed);  // a body view stays valid: consume() moves no byte
    switch (r.event) {
      case parse_event::body:
        if (decoder) {
          fed_decoder = fed_decoder || !c.parser.body().empty();
          // Held back: the rest of the body stays in the connection's buffer (and the socket).
          if (!decode(c.parser.body())) return;
        } else {
          pending.append(c.parser.body());
        }
        continue;
      case parse_event::message_complete: {
        const bool reusable = keep_alive && t->read_buffer().empty();
        finish(reusable);
        return;
      }
      case parse_event::need_more:
        return;
      case parse_event::error: {
        std::string why = c.parser.error().reason;
        abort();
        throw client_payload_error("aio.http: malformed response body: " + why);
      }
      case parse_event::head:
      case parse_event::upgraded:
        abort();
        throw client_payload_error("aio.http: unexpected data after the response");
    }
  }
}

coro<> response_body::fill() {
  try {
    for (;;) {
      pump();
      if (available() > 0 || complete || broken) break;
      client_connection& c = *lease.conn;
      aio::detail::stream_transport* t = c.transport();
      if (t->read_done()) {
        if (t->read_error() == 0 && c.parser.finish() == parse_event::message_complete) {
          finish(false);  // a body delimited by the end of the connection
          co_return;
        }
        throw_disconnected(t, "the end of the body");
      }
      co_await wait_readable(t, sock_read);
    }
    // A fill served from bytes already buffered (a zip bomb's pieces decoded one after another) is an
    // operation completed in place too: it spends the step's cooperative budget like a read.
    if (!complete && !broken && !aio::detail::coop_spend()) co_await aio::sleep(std::chrono::seconds(0));
  } catch (...) {
    abort();  // also on cancellation: never pool a half-read connection
    throw;
  }
}

coro<> response_body::fill_timed() {
  if (deadline == clock::time_point::max()) {
    co_await fill();
    co_return;
  }
  bool expired = false;
  try {
    co_await aio::timeout_at(deadline, fill());
  } catch (const client_timeout_error&) {
    throw;
  } catch (const aio::timeout_error&) {
    expired = true;
  }
  if (expired) {
    abort();
    throw client_timeout_error(timeout_kind::total, "aio.http: total timeout (" +
                                                        std::to_string(total ? total->count() : 0) +
                                                        " s) expired reading the response body");
  }
}

coro<> response_body::read_all(std::string& out) {
  for (;;) {
    if (available() > 0) {
      if (out.empty() && pending_off == 0) {
        out.swap(pending);
      } else {
        out.append(pending, pending_off);
      }
      pending.clear();
      pending_off = 0;
    }
    if (complete || broken) co_return;
    co_await fill();
  }
}

}  // namespace detail

// ---- response_content -----------------------------------------------------------------------------

coro<std::string> response_content::read_chunk(std::size_t n) {
  detail::response_body* b = m_body;
  if (b == nullptr || n == 0) co_return std::string();
  if (b->available() == 0 && !b->complete && !b->broken) co_await b->fill_timed();
  co_return b->take(n);
}

coro<std::string> response_content::read(std::ptrdiff_t n) {
  detail::response_body* b = m_body;
  std::string out;
  if (b == nullptr) co_return out;
  const std::size_t want = n < 0 ? SIZE_MAX : static_cast<std::size_t>(n);
  while (out.size() < want) {
    if (b->available() == 0) {
      if (b->complete || b->broken) break;
      co_await b->fill_timed();
      continue;
    }
    out += b->take(want - out.size());
  }
  co_return out;
}

chunk_iterator response_content::iter_chunked(std::size_t n) { return chunk_iterator(*this, n); }

bool response_content::at_eof() const noexcept {
  return m_body == nullptr || (m_body->available() == 0 && (m_body->complete || m_body->broken));
}

coro<std::optional<std::string>> chunk_iterator::next() {
  std::string chunk = co_await m_content->read_chunk(m_n);
  if (chunk.empty()) co_return std::nullopt;
  co_return chunk;
}

// ---- client_response ------------------------------------------------------------------------------

client_response::client_response() = default;
client_response::client_response(client_response&&) noexcept = default;
client_response& client_response::operator=(client_response&&) noexcept = default;
client_response::~client_response() { release(); }

client_response::client_response(response_head head, std::string method, http::url u,
                                 std::unique_ptr<detail::response_body> body)
    : m_head(std::move(head)),
      m_method(std::move(method)),
      m_url(std::move(u)),
      m_body(std::move(body)),
      m_content(m_body.get()) {}

std::string client_response::content_type() const {
  const auto v = m_head.headers.get("Content-Type");
  if (!v) return "application/octet-stream";
  return std::string(http::content_type::parse(*v).mime_type());
}

std::optional<std::string> client_response::charset() const {
  const auto v = m_head.headers.get("Content-Type");
  if (!v) return std::nullopt;
  return http::content_type::parse(*v).charset();
}

void client_response::raise_for_status() const {
  if (m_head.status >= 400) throw client_response_error(m_head.status, m_head.reason, m_url.to_string());
}

void client_response::release() noexcept {
  if (!m_body || m_body->complete || m_body->broken) return;
  try {
    m_body->pump();  // the rest may already be buffered: then the connection can be reused
  } catch (...) {    // NOLINT(bugprone-empty-catch): a bad rest of the body only closes the connection
  }
  if (!m_body->complete) m_body->abort();
}

void client_response::close() noexcept {
  if (m_body && !m_body->complete && !m_body->broken) m_body->abort();
}

bool client_response::closed() const noexcept { return !m_body || m_body->complete || m_body->broken; }

coro<std::string> client_response::read() {
  if (m_read) co_return *m_read;
  std::string out;
  if (m_body) {
    detail::response_body* b = m_body.get();
    if (b->deadline == clock::time_point::max()) {
      co_await b->read_all(out);
    } else {
      bool expired = false;
      try {
        co_await aio::timeout_at(b->deadline, b->read_all(out));
      } catch (const client_timeout_error&) {
        throw;
      } catch (const aio::timeout_error&) {
        expired = true;
      }
      if (expired) {
        b->abort();
        throw client_timeout_error(timeout_kind::total, "aio.http: total timeout (" +
                                                            std::to_string(b->total ? b->total->count() : 0) +
                                                            " s) expired reading the response body");
      }
    }
  }
  m_read = std::move(out);
  co_return *m_read;
}

namespace {
/// Converts `in` from `charset` to UTF-8 with iconv.
std::string to_utf8(const std::string& in, const std::string& charset) {
  iconv_t cd = ::iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // NOLINT(performance-no-int-to-ptr): iconv's error value
    throw client_payload_error("aio.http: unknown charset '" + charset + "'");
  }
  std::string out(in.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(in.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast): iconv's API
  std::size_t src_left = in.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  const std::size_t r = ::iconv(cd, &src, &src_left, &dst, &dst_left);
  ::iconv_close(cd);
  if (r == static_cast<std::size_t>(-1)) {
    throw client_payload_error("aio.http: the body is not valid " + charset);
  }
  out.resize(out.size() - dst_left);
  return out;
}

bool is_utf8_name(const std::string& cs) {
  return cs.empty() || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii";
}
}  // namespace

coro<std::string> client_response::text() {
  std::string cs = charset().value_or("utf-8");
  co_return co_await text(std::move(cs));
}

coro<std::string> client_response::text(std::string encoding) {
  std::string body = co_await read();
  std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (is_utf8_name(encoding)) co_return body;
  co_return to_utf8(body, encoding);
}

coro<nlohmann::json> client_response::json(bool check_content_type) {
  if (check_content_type) {
    const auto v = m_head.headers.get("Content-Type");
    if (!v || !http::content_type::parse(*v).is_json()) {
      throw content_type_error(
          m_head.status, "Attempt to decode JSON with unexpected mimetype: " + std::string(v.value_or("")),
          m_url.to_string());
    }
  }
  const std::string body = co_await read();
  co_return nlohmann::json::parse(body);
}

}  // namespace aio::http
