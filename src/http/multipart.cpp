#include "aio/http/multipart.hpp"

#include <random>
#include <stdexcept>

#include "aio/http/body_error.hpp"
#include "aio/http/content_type.hpp"
#include "aio/http/query.hpp"
#include "text.hpp"

namespace aio::http {

namespace {

bool valid_boundary(std::string_view b) noexcept {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

using aio::http::detail::trim_ows;

void parse_part_headers(std::string_view block, multipart_part& part) {
  while (!block.empty()) {
    auto eol = block.find("\r\n");
    auto line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) throw body_error("malformed multipart part header");
    part.headers.add(std::string(trim_ows(line.substr(0, colon))),
                     std::string(trim_ows(line.substr(colon + 1))));
  }
  if (auto cd = part.headers.get("Content-Disposition")) {
    auto disposition = content_type::parse(*cd);
    if (auto name = disposition.param("name")) part.name = *name;
    if (auto star = disposition.param("filename*")) {
      // RFC 5987: charset'language'percent-encoded
      auto quote = star->find('\'');
      auto second = quote == std::string_view::npos ? quote : star->find('\'', quote + 1);
      part.filename = percent_decode(second == std::string_view::npos ? *star : star->substr(second + 1));
    } else if (auto filename = disposition.param("filename")) {
      part.filename = std::string(*filename);
    }
  }
  if (auto ct = part.headers.get("Content-Type")) part.content_type = std::string(*ct);
}

std::string escape_name(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"') {
      out += "%22";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::vector<multipart_part> parse_multipart(std::string_view body, std::string_view boundary,
                                            std::size_t max_parts) {
  if (!valid_boundary(boundary)) throw body_error("invalid multipart boundary");
  std::string delim = "--";
  delim += boundary;
  std::size_t pos = 0;
  // The first delimiter: at the very start or after a CRLF ending the preamble.
  while (true) {
    pos = body.find(delim, pos);
    if (pos == std::string_view::npos) throw body_error("multipart body without its boundary");
    if (pos == 0 || (pos >= 2 && body.substr(pos - 2, 2) == "\r\n")) break;
    ++pos;
  }
  std::string next_delim = "\r\n" + delim;
  std::vector<multipart_part> parts;
  while (true) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return parts;  // the close delimiter; the epilogue is ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;  // transport padding
    if (body.substr(pos, 2) != "\r\n") throw body_error("malformed multipart delimiter line");
    pos += 2;
    if (parts.size() >= max_parts)
      throw body_error("more than " + std::to_string(max_parts) + " multipart parts");
    multipart_part part;
    std::size_t content_start = 0;
    if (body.substr(pos, 2) == "\r\n") {
      content_start = pos + 2;  // no headers
    } else {
      auto end = body.find("\r\n\r\n", pos);
      if (end == std::string_view::npos) throw body_error("unterminated multipart part headers");
      parse_part_headers(body.substr(pos, end - pos), part);
      content_start = end + 4;
    }
    auto content_end = body.find(next_delim, content_start);
    if (content_end == std::string_view::npos)
      throw body_error("multipart body without its closing boundary");
    part.body = std::string(body.substr(content_start, content_end - content_start));
    parts.push_back(std::move(part));
    pos = content_end + 2;
  }
}

form_data::form_data() {
  static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  m_boundary = "----aioFormBoundary";
  for (int i = 0; i < 24; ++i) m_boundary.push_back(alphabet[pick(rd)]);
}

form_data::form_data(std::string boundary) : m_boundary(std::move(boundary)) {
  if (!valid_boundary(m_boundary))
    throw std::invalid_argument("invalid multipart boundary '" + m_boundary + "'");
}

void form_data::add_field(std::string_view name, std::string value, std::string content_type) {
  multipart_part p;
  p.name = std::string(name);
  p.headers.add("Content-Disposition", "form-data; name=\"" + escape_name(name) + "\"");
  if (!content_type.empty()) p.headers.add("Content-Type", content_type);
  p.content_type = std::move(content_type);
  p.body = std::move(value);
  m_parts.push_back(std::move(p));
}

void form_data::add_file(std::string_view name, std::string_view filename, std::string data,
                         std::string content_type) {
  multipart_part p;
  p.name = std::string(name);
  p.filename = std::string(filename);
  p.headers.add("Content-Disposition",
                "form-data; name=\"" + escape_name(name) + "\"; filename=\"" + escape_name(filename) + "\"");
  if (content_type.empty()) content_type = "application/octet-stream";
  p.headers.add("Content-Type", content_type);
  p.content_type = std::move(content_type);
  p.body = std::move(data);
  m_parts.push_back(std::move(p));
}

std::string form_data::content_type() const {
  bool quote = m_boundary.find_first_of("'()+,/:=? ") != std::string::npos;
  return quote ? "multipart/form-data; boundary=\"" + m_boundary + "\""
               : "multipart/form-data; boundary=" + m_boundary;
}

std::string form_data::body() const {
  std::string delim = "--" + m_boundary;
  std::string out;
  for (const auto& part : m_parts) {
    if (part.body.find(delim) != std::string::npos) {
      throw std::invalid_argument("multipart part '" + part.name + "' contains the boundary");
    }
    out += delim;
    out += "\r\n";
    for (const auto& [n, v] : part.headers) {
      if (v.find_first_of("\r\n") != std::string::npos)
        throw std::invalid_argument("CR or LF in a part header");
      out += n;
      out += ": ";
      out += v;
      out += "\r\n";
    }
    out += "\r\n";
    out += part.body;
    out += "\r\n";
  }
  out += delim;
  out += "--\r\n";
  return out;
}

}  // namespace aio::http
