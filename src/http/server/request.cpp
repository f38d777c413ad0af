// aio::http::request: target splitting, lazy query parsing, body readers.

#include "aio/http/server/request.hpp"

#include <stdexcept>

#include "../compression.hpp"
#include "aio/http/body_error.hpp"
#include "aio/http/content_type.hpp"
#include "aio/http/server/response.hpp"
#include "connection.hpp"

namespace aio::http {

void request::reset(detail::http_connection* conn, application* app, request_head* head) {
  m_conn = conn;
  m_app = app;
  m_head = head;
  std::string_view t = head->target;
  // absolute-form ("http://host/path?q"): keep the path and query.
  if (!t.empty() && t.front() != '/' && t != "*") {
    const std::size_t scheme = t.find("://");
    if (scheme != std::string_view::npos) {
      const std::size_t slash = t.find('/', scheme + 3);
      t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
    }
  }
  const std::size_t q = t.find('?');
  m_raw_path = t.substr(0, q);
  m_query_string = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  if (m_raw_path.find('%') != std::string_view::npos) {
    m_decoded_path = percent_decode(m_raw_path);
    m_path = m_decoded_path;
  } else {
    m_path = m_raw_path;
  }
  m_query.reset();
  m_params.clear();
  m_route_status = 404;
  m_allow.clear();
  m_body.reset();
}

const query_params& request::query() const {
  if (!m_query) m_query = parse_query(m_query_string);
  return *m_query;
}

std::optional<std::string_view> request::query(std::string_view name) const {
  for (const auto& [k, v] : query()) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string_view request::content_type() const noexcept {
  std::string_view ct = m_head->headers.get("Content-Type", "");
  const std::size_t semi = ct.find(';');
  ct = ct.substr(0, semi);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  return ct;
}

std::string_view request::match_info(std::string_view name) const {
  for (const auto& [k, v] : m_params) {
    if (k == name) return v;
  }
  throw std::out_of_range("aio.http: the route has no parameter '" + std::string(name) + "'");
}

socket_address request::peername() const { return m_conn->writer().peername(); }

std::string request::remote() const { return peername().host(); }

bool request::body_complete() const noexcept { return m_conn->body_done(); }

coro<std::string> request::read() {
  if (m_body) co_return *m_body;
  std::string body;
  while (co_await m_conn->read_body(body, std::size_t{1} << 20)) {
  }
  const std::string_view enc = headers().get("Content-Encoding", "");
  if (!enc.empty() && !iequals(enc, "identity")) {
    const auto coding = detail::parse_content_coding(enc);
    if (!coding) throw http_error(415, "415: unsupported Content-Encoding");
    try {
      body = detail::decompress(body, *coding, m_conn->owner_limits().max_body);
    } catch (const body_too_large_error&) {
      throw http_error(413, "413: the decoded body is too large");
    } catch (const body_error&) {
      throw http_error(400, "400: corrupt " + std::string(enc) + " body");
    }
  }
  m_body = body;
  co_return body;
}

void request::throw_bad_json() { throw http_error(400, "400: the body is not valid JSON"); }

coro<form> request::post() {
  const std::string body = co_await read();
  form f;
  const aio::http::content_type ct = aio::http::content_type::parse(headers().get("Content-Type", ""));
  if (ct.mime_type() == "application/x-www-form-urlencoded") {
    f.fields = parse_form_urlencoded(body);
  } else if (ct.mime_type() == "multipart/form-data") {
    const auto boundary = ct.param("boundary");
    if (!boundary) throw http_error(400, "400: multipart body without a boundary");
    std::vector<multipart_part> parts;
    try {
      parts = parse_multipart(body, *boundary);
    } catch (const body_error& e) {
      throw http_error(400, std::string("400: ") + e.what());
    }
    for (auto& p : parts) {
      if (p.filename) {
        f.files.push_back(std::move(p));
      } else {
        f.fields.emplace_back(std::move(p.name), std::move(p.body));
      }
    }
  }
  co_return f;
}

coro<std::string> body_reader::read_chunk(std::size_t max) {
  std::string piece;
  co_await m_req->connection().read_body(piece, max);
  co_return piece;
}

bool body_reader::at_eof() const noexcept { return m_req->body_complete(); }

}  // namespace aio::http
