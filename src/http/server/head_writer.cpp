#include "head_writer.hpp"

#include <array>
#include <stdexcept>

#include "../serialize.hpp"
#include "aio/http/status.hpp"

namespace aio::http::detail {

void append_decimal(std::string& out, std::uint64_t v) {
  std::array<char, 20> buf{};
  std::size_t i = buf.size();
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(buf.data() + i, buf.size() - i);
}

void write_server_head(std::string& out, const head_spec& spec) {
  if (spec.status < 100 || spec.status > 999) {
    throw std::invalid_argument("invalid HTTP status " + std::to_string(spec.status));
  }
  if (spec.status == 200 && spec.reason.empty()) {
    out += "HTTP/1.1 200 OK\r\n";
  } else {
    std::string_view reason = spec.reason.empty() ? reason_phrase(spec.status) : spec.reason;
    if (!is_safe_field_value(reason)) throw std::invalid_argument("invalid character in the reason phrase");
    out += "HTTP/1.1 ";
    append_decimal(out, static_cast<std::uint64_t>(spec.status));
    out += ' ';
    out += reason;
    out += "\r\n";
  }
  bool has_ct = false;
  bool has_server = false;
  bool has_date = false;
  if (spec.fields != nullptr) {
    for (const auto& [name, value] : *spec.fields) {
      // The server frames the body and decides about the connection itself.
      if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
          iequals(name, "Connection")) {
        continue;
      }
      if (!is_token(name)) throw std::invalid_argument("invalid header name '" + name + "'");
      if (!is_safe_field_value(value)) {
        throw std::invalid_argument("invalid character (CR, LF or NUL) in the value of header '" + name +
                                    "'");
      }
      has_ct = has_ct || iequals(name, "Content-Type");
      has_server = has_server || iequals(name, "Server");
      has_date = has_date || iequals(name, "Date");
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    }
  }
  if (!has_ct && !spec.content_type.empty()) {
    if (!is_safe_field_value(spec.content_type)) throw std::invalid_argument("invalid Content-Type");
    out += "Content-Type: ";
    out += spec.content_type;
    out += "\r\n";
  }
  if (!status_has_no_body(spec.status)) {
    switch (spec.framing) {
      case body_framing_kind::length:
        out += "Content-Length: ";
        append_decimal(out, spec.length);
        out += "\r\n";
        break;
      case body_framing_kind::chunked:
        out += "Transfer-Encoding: chunked\r\n";
        break;
      case body_framing_kind::none:
      case body_framing_kind::until_close:
        break;
    }
  }
  if (!has_date) {
    out += "Date: ";
    out += http_date_now();
    out += "\r\n";
  }
  if (!has_server) out += "Server: aio\r\n";
  switch (spec.connection) {
    case connection_header::close:
      out += "Connection: close\r\n";
      break;
    case connection_header::keep_alive:
      out += "Connection: keep-alive\r\n";
      break;
    case connection_header::upgrade:
      out += "Connection: upgrade\r\n";
      break;
    case connection_header::none:
      break;
  }
  out += "\r\n";
}

}  // namespace aio::http::detail
