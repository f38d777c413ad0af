#include "aio/http/url.hpp"

#include <charconv>
#include <string>

namespace aio::http {

namespace {

constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_unreserved(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
constexpr bool is_sub_delim(char c) noexcept {
  return c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
         c == ',' || c == ';' || c == '=';
}
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

[[noreturn]] void fail(std::string_view text, std::string_view reason) {
  std::string msg = "invalid URL '";
  // Keep the message readable for very long or binary input.
  for (char c : text.substr(0, 200))
    msg.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  if (text.size() > 200) msg += "...";
  msg += "': ";
  msg += reason;
  throw invalid_url(msg);
}

// Percent-encodes the bytes a component may not contain, keeping existing escapes.
std::string normalise(std::string_view s, bool is_path) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    bool keep = is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/' || c == '%' ||
                (!is_path && c == '?');
    if (keep) {
      out.push_back(c);
    } else {
      auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(digits[b >> 4U]);
      out.push_back(digits[b & 0xFU]);
    }
  }
  return out;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./") || in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      auto slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      auto next = in.find('/', 1);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

// The five components of a URI reference (RFC 3986 appendix B); absent ones are nullopt.
struct reference {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

reference split(std::string_view text, std::string_view original) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) fail(original, "control character");
  }
  reference r;
  auto delim = text.find_first_of(":/?#");
  if (delim != std::string_view::npos && delim > 0 && text[delim] == ':' && is_alpha(text[0])) {
    auto scheme = text.substr(0, delim);
    for (char c : scheme) {
      if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') fail(original, "bad scheme");
    }
    r.scheme = scheme;
    text.remove_prefix(delim + 1);
  }
  if (text.starts_with("//")) {
    text.remove_prefix(2);
    auto end = text.find_first_of("/?#");
    r.authority = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end);
  }
  auto hash = text.find('#');
  if (hash != std::string_view::npos) {
    r.fragment = text.substr(hash + 1);
    text = text.substr(0, hash);
  }
  auto question = text.find('?');
  if (question != std::string_view::npos) {
    r.query = text.substr(question + 1);
    text = text.substr(0, question);
  }
  r.path = text;
  return r;
}

bool needs_host(std::string_view scheme) noexcept {
  return scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss";
}

}  // namespace

// Fills a url from reference components; the only place that writes url's members.
struct url_builder {
  static void set_authority(url& u, std::string_view auth, std::string_view original) {
    u.m_has_userinfo = u.m_has_password = u.m_ipv6 = false;
    u.m_user.clear();
    u.m_password.clear();
    u.m_port.reset();
    auto at = auth.rfind('@');
    if (at != std::string_view::npos) {
      auto info = auth.substr(0, at);
      auth.remove_prefix(at + 1);
      u.m_has_userinfo = true;
      auto colon = info.find(':');
      u.m_user = normalise(info.substr(0, colon), true);
      if (colon != std::string_view::npos) {
        u.m_has_password = true;
        u.m_password = normalise(info.substr(colon + 1), true);
      }
    }
    std::string_view host;
    std::string_view port;
    if (auth.starts_with('[')) {
      auto close = auth.find(']');
      if (close == std::string_view::npos) fail(original, "unterminated IPv6 address");
      host = auth.substr(1, close - 1);
      if (host.empty()) fail(original, "empty IPv6 address");
      bool colon_seen = false;
      for (char c : host) {
        if (c == ':') colon_seen = true;
        if (!is_hex(c) && c != ':' && c != '.') fail(original, "bad character in IPv6 address");
      }
      if (!colon_seen) fail(original, "bad IPv6 address");
      u.m_ipv6 = true;
      auto rest = auth.substr(close + 1);
      if (!rest.empty()) {
        if (rest.front() != ':') fail(original, "unexpected text after IPv6 address");
        port = rest.substr(1);
      }
    } else {
      auto colon = auth.rfind(':');
      host = auth.substr(0, colon);
      if (colon != std::string_view::npos) port = auth.substr(colon + 1);
      for (char c : host) {
        if (static_cast<unsigned char>(c) >= 0x80) fail(original, "non-ASCII host (IDNA is not supported)");
        if (!is_unreserved(c) && !is_sub_delim(c) && c != '%') fail(original, "bad character in host");
      }
    }
    u.m_host.clear();
    for (char c : host) u.m_host.push_back(to_lower(c));
    if (!port.empty()) {
      unsigned value = 0;
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
      if (ec != std::errc() || end != port.data() + port.size() || value > 65535) fail(original, "bad port");
      if (value != url::default_port(u.m_scheme)) u.m_port = static_cast<std::uint16_t>(value);
    }
  }

  static url build(const reference& r, std::string_view original) {
    url u;
    if (!r.scheme) fail(original, "no scheme (an absolute URL is required)");
    for (char c : *r.scheme) u.m_scheme.push_back(to_lower(c));
    if (r.authority) set_authority(u, *r.authority, original);
    set_rest(u, r.path, r.query, r.fragment, original);
    return u;
  }

  static void set_rest(url& u, std::string_view path, std::optional<std::string_view> query,
                       std::optional<std::string_view> fragment, std::string_view original) {
    if (needs_host(u.m_scheme) && u.m_host.empty()) fail(original, "no host");
    u.m_path = normalise(path, true);
    if (u.m_path.empty() && !u.m_host.empty()) u.m_path = "/";
    u.m_has_query = query.has_value();
    u.m_query = query ? normalise(*query, false) : std::string();
    u.m_has_fragment = fragment.has_value();
    u.m_fragment = fragment ? normalise(*fragment, false) : std::string();
  }
};

url url::parse(std::string_view text) {
  auto trimmed = trim(text);
  return url_builder::build(split(trimmed, text), text);
}

std::string url::user() const { return percent_decode(m_user); }
std::string url::password() const { return percent_decode(m_password); }
std::string url::decoded_path() const { return percent_decode(m_path); }

std::uint16_t url::default_port(std::string_view scheme) noexcept {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  return 0;
}

std::uint16_t url::port() const noexcept { return m_port ? *m_port : default_port(m_scheme); }

std::string url::target() const {
  std::string out = m_path.empty() ? std::string("/") : m_path;
  if (m_has_query) {
    out.push_back('?');
    out += m_query;
  }
  return out;
}

std::string url::host_header() const {
  std::string out;
  if (m_ipv6) {
    out.push_back('[');
    out += m_host;
    out.push_back(']');
  } else {
    out = m_host;
  }
  if (m_port) {
    out.push_back(':');
    out += std::to_string(*m_port);
  }
  return out;
}

std::string url::to_string() const {
  std::string out = m_scheme;
  out.push_back(':');
  if (!m_host.empty() || m_has_userinfo || m_port) {
    out += "//";
    if (m_has_userinfo) {
      out += m_user;
      if (m_has_password) {
        out.push_back(':');
        out += m_password;
      }
      out.push_back('@');
    }
    out += host_header();
  }
  out += m_path;
  if (m_has_query) {
    out.push_back('?');
    out += m_query;
  }
  if (m_has_fragment) {
    out.push_back('#');
    out += m_fragment;
  }
  return out;
}

url url::with_query(const http::query_params& params) const {
  url u = *this;
  u.m_query = encode_query(params);
  u.m_has_query = !params.empty();
  return u;
}

url url::with_raw_query(std::string_view raw) const {
  url u = *this;
  if (raw.starts_with('?')) raw.remove_prefix(1);
  u.m_query = normalise(raw, false);
  u.m_has_query = !raw.empty();
  return u;
}

url url::without_fragment() const {
  url u = *this;
  u.m_fragment.clear();
  u.m_has_fragment = false;
  return u;
}

url url::join(std::string_view reference_text) const {
  auto trimmed = trim(reference_text);
  reference r = split(trimmed, reference_text);
  if (r.scheme) {
    url u = url_builder::build(r, reference_text);
    u.m_path = remove_dot_segments(u.m_path);
    if (u.m_path.empty() && !u.m_host.empty()) u.m_path = "/";
    return u;
  }
  if (m_scheme.empty()) fail(reference_text, "cannot resolve a reference against an empty URL");
  url u;
  u.m_scheme = m_scheme;
  std::string path;
  std::optional<std::string_view> query = r.query;
  if (r.authority) {
    url_builder::set_authority(u, *r.authority, reference_text);
    path = remove_dot_segments(r.path);
  } else {
    u.m_host = m_host;
    u.m_ipv6 = m_ipv6;
    u.m_port = m_port;
    u.m_user = m_user;
    u.m_password = m_password;
    u.m_has_userinfo = m_has_userinfo;
    u.m_has_password = m_has_password;
    if (r.path.empty()) {
      path = m_path;
      if (!query && m_has_query) query = m_query;
    } else if (r.path.front() == '/') {
      path = remove_dot_segments(r.path);
    } else {
      std::string merged;
      if (!m_host.empty() && m_path.empty()) {
        merged = "/";
      } else {
        auto slash = m_path.rfind('/');
        if (slash != std::string::npos) merged = m_path.substr(0, slash + 1);
      }
      merged += r.path;
      path = remove_dot_segments(merged);
    }
  }
  url_builder::set_rest(u, path, query, r.fragment, reference_text);
  return u;
}

}  // namespace aio::http
