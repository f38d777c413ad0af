#include "aio/http/query.hpp"

namespace aio::http {

namespace {

constexpr bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
constexpr bool is_unreserved(char c) noexcept {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
constexpr bool is_sub_delim(char c) noexcept {
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}
constexpr bool is_pchar(char c) noexcept {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
}

bool keeps(char c, url_component component) noexcept {
  switch (component) {
    case url_component::userinfo:
      return is_unreserved(c) || is_sub_delim(c);
    case url_component::path:
      return is_pchar(c) || c == '/';
    case url_component::path_segment:
      return is_pchar(c);
    case url_component::query:
    case url_component::fragment:
      return is_pchar(c) || c == '/' || c == '?';
    case url_component::query_value:
      return is_unreserved(c);
  }
  return false;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_encode(std::string_view s, url_component component) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (keeps(c, component)) {
      out.push_back(c);
    } else if (c == ' ' && component == url_component::query_value) {
      out.push_back('+');
    } else {
      auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(digits[b >> 4U]);
      out.push_back(digits[b & 0xFU]);
    }
  }
  return out;
}

std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

query_params parse_query(std::string_view query) {
  query_params out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(percent_decode(item, true), std::string());
    } else {
      out.emplace_back(percent_decode(item.substr(0, eq), true), percent_decode(item.substr(eq + 1), true));
    }
  }
  return out;
}

std::string encode_query(const query_params& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(name, url_component::query_value);
    out.push_back('=');
    out += percent_encode(value, url_component::query_value);
  }
  return out;
}

}  // namespace aio::http
