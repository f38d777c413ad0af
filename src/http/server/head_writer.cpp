#include "head_writer.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

#include "../serialize.hpp"
#include "aio/http/status.hpp"

namespace aio::http::detail {

namespace {
/// Collects the head on the stack and appends it to the output once (a head rarely passes the
/// buffer): a std::string append per piece costs a capacity check and an out-of-line copy each.
/// On an exception nothing more is appended (the caller drops what was, as before).
class head_buffer {
 public:
  explicit head_buffer(std::string& out) noexcept : m_out(out) {}
  head_buffer(const head_buffer&) = delete;
  head_buffer& operator=(const head_buffer&) = delete;
  ~head_buffer() = default;

  head_buffer& operator+=(std::string_view s) {
    if (s.size() > m_buf.size() - m_len) {
      spill();
      if (s.size() > m_buf.size()) {
        m_out.append(s);
        return *this;
      }
    }
    std::memcpy(m_buf.data() + m_len, s.data(), s.size());
    m_len += s.size();
    return *this;
  }
  /// A literal: its size is a constant, so the copy compiles to a few moves instead of a memcpy call.
  template <std::size_t N>
  head_buffer& operator+=(const char (&lit)[N]) {
    constexpr std::size_t len = N - 1;
    static_assert(len <= sizeof(m_buf));
    if (len > m_buf.size() - m_len) spill();
    std::memcpy(m_buf.data() + m_len, lit, len);
    m_len += len;
    return *this;
  }
  head_buffer& operator+=(char c) { return *this += std::string_view(&c, 1); }
  void put_decimal(std::uint64_t v) {
    std::array<char, 20> digits{};
    std::size_t i = digits.size();
    do {
      digits[--i] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    *this += std::string_view(digits.data() + i, digits.size() - i);
  }
  void finish() { spill(); }

 private:
  void spill() {
    m_out.append(m_buf.data(), m_len);
    m_len = 0;
  }
  std::string& m_out;
  std::size_t m_len = 0;
  std::array<char, 512> m_buf;  // NOLINT(cppcoreguidelines-pro-type-member-init): only [0, m_len) is read
};
}  // namespace

void write_server_head(std::string& out_string, const head_spec& spec) {
  head_buffer out(out_string);
  if (spec.status < 100 || spec.status > 999) {
    throw std::invalid_argument("invalid HTTP status " + std::to_string(spec.status));
  }
  if (spec.status == 200 && spec.reason.empty()) {
    out += "HTTP/1.1 200 OK\r\n";
  } else {
    std::string_view reason = spec.reason.empty() ? reason_phrase(spec.status) : spec.reason;
    if (!is_safe_field_value(reason)) throw std::invalid_argument("invalid character in the reason phrase");
    out += "HTTP/1.1 ";
    out.put_decimal(static_cast<std::uint64_t>(spec.status));
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
  if (!has_ct && spec.content_type.data() == k_text_plain_utf8.data()) {
    out += "Content-Type: text/plain; charset=utf-8\r\n";  // ours: nothing to validate
  } else if (!has_ct && !spec.content_type.empty()) {
    if (!is_safe_field_value(spec.content_type)) throw std::invalid_argument("invalid Content-Type");
    out += "Content-Type: ";
    out += spec.content_type;
    out += "\r\n";
  }
  if (!status_has_no_body(spec.status)) {
    switch (spec.framing) {
      case body_framing_kind::length:
        out += "Content-Length: ";
        out.put_decimal(spec.length);
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
    out += has_server ? std::string_view("\r\n") : std::string_view("\r\nServer: aio\r\n");
  } else if (!has_server) {
    out += "Server: aio\r\n";
  }
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
  out.finish();
}

}  // namespace aio::http::detail
