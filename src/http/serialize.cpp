#include "serialize.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "aio/http/status.hpp"

namespace aio::http::detail {

namespace {

bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

void append_uint(std::string& out, std::uint64_t v) {
  std::array<char, 20> buf{};
  std::size_t i = buf.size();
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(buf.data() + i, buf.size() - i);
}

void append_fields(std::string& out, const headers& fields) {
  for (const auto& [name, value] : fields) {
    if (!is_token(name)) throw std::invalid_argument("invalid header name '" + name + "'");
    if (!is_safe_field_value(value)) {
      throw std::invalid_argument("invalid character (CR, LF or NUL) in the value of header '" + name + "'");
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
}

void append_framing(std::string& out, const headers& fields, framing_choice framing) {
  if (fields.contains("Content-Length") || fields.contains("Transfer-Encoding")) return;
  switch (framing.how) {
    case framing_choice::mode::none:
      break;
    case framing_choice::mode::content_length:
      out += "Content-Length: ";
      append_uint(out, framing.length);
      out += "\r\n";
      break;
    case framing_choice::mode::chunked:
      out += "Transfer-Encoding: chunked\r\n";
      break;
  }
}

void append_version(std::string& out, http_version v) {
  out += "HTTP/";
  out.push_back(static_cast<char>('0' + v.major));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + v.minor));
}

}  // namespace

bool is_token(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool is_safe_field_value(std::string_view value) noexcept {
  // A plain loop: find_first_of with a set of three calls memchr once per character of `value`.
  for (const char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

void write_response_head(std::string& out, int status, const headers& fields, framing_choice framing,
                         std::string_view reason, http_version version) {
  if (status < 100 || status > 999)
    throw std::invalid_argument("invalid HTTP status " + std::to_string(status));
  if (reason.empty()) reason = reason_phrase(status);
  if (!is_safe_field_value(reason)) throw std::invalid_argument("invalid character in the reason phrase");
  append_version(out, version);
  out.push_back(' ');
  append_uint(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  out += reason;
  out += "\r\n";
  append_fields(out, fields);
  if (!status_has_no_body(status)) append_framing(out, fields, framing);
  out += "\r\n";
}

void write_request_head(std::string& out, std::string_view method, std::string_view target,
                        const headers& fields, framing_choice framing, http_version version) {
  if (!is_token(method)) throw std::invalid_argument("invalid HTTP method '" + std::string(method) + "'");
  if (target.empty()) throw std::invalid_argument("empty request target");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      throw std::invalid_argument("invalid character in request target '" + std::string(target) + "'");
    }
  }
  out += method;
  out.push_back(' ');
  out += target;
  out.push_back(' ');
  append_version(out, version);
  out += "\r\n";
  append_fields(out, fields);
  append_framing(out, fields, framing);
  out += "\r\n";
}

void write_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  static constexpr char digits[] = "0123456789abcdef";
  std::array<char, 16> buf{};
  std::size_t i = buf.size();
  for (auto n = data.size(); n != 0; n >>= 4U) buf[--i] = digits[n & 0xFU];
  out.append(buf.data() + i, buf.size() - i);
  out += "\r\n";
  out += data;
  out += "\r\n";
}

void write_last_chunk(std::string& out) { out += "0\r\n\r\n"; }

std::string format_http_date(std::time_t t) {
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                        days.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                        months.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900, tm.tm_hour,
                        tm.tm_min, tm.tm_sec);
  return std::string(buf.data(), static_cast<std::size_t>(n > 0 ? n : 0));
}

std::string_view http_date_now() {
  // One cache per thread: no locking, and each server thread pays for one format per second. Fixed
  // storage, rewritten in place: a view taken before the second changed still points at a live date
  // (a std::string reassigned here would free it under the caller).
  thread_local std::time_t cached_second = -1;
  thread_local std::array<char, 64> cached{};
  thread_local std::size_t cached_size = 0;
  // The coarse clock (the time of the last tick: no TSC read) is exact enough for a field in seconds,
  // and a server asks for it once per response.
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  const std::time_t now = ts.tv_sec;
  if (now != cached_second) {
    const std::string text = format_http_date(now);
    cached_size = std::min(text.size(), cached.size());
    std::memcpy(cached.data(), text.data(), cached_size);
    cached_second = now;
  }
  return {cached.data(), cached_size};
}

}  // namespace aio::http::detail
