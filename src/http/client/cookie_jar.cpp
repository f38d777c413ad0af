// cookie_jar: Set-Cookie parsing and Cookie header building (RFC 6265 section 5, reduced).

#include "aio/http/client/cookie_jar.hpp"

#include <time.h>  // strptime, timegm (POSIX)

#include <algorithm>
#include <cctype>
#include <charconv>

#include "../text.hpp"
#include "aio/http/headers.hpp"

namespace aio::http {

namespace {

using aio::http::detail::trim_ows;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// An Expires value in one of the formats servers send; nothing if none fits.
std::optional<std::chrono::system_clock::time_point> parse_expires(std::string_view v) {
  const std::string s(v);
  for (const char* fmt :
       {"%a, %d %b %Y %H:%M:%S", "%a, %d-%b-%Y %H:%M:%S", "%a, %d-%b-%y %H:%M:%S", "%A, %d-%b-%y %H:%M:%S"}) {
    std::tm tm{};
    if (::strptime(s.c_str(), fmt, &tm) != nullptr) {
      return std::chrono::system_clock::from_time_t(::timegm(&tm));
    }
  }
  return std::nullopt;
}

/// RFC 6265 section 5.1.3: `host` is `domain` or a subdomain of it (never for IP addresses).
bool domain_match(std::string_view host, std::string_view domain, bool host_is_ip) {
  if (host == domain) return true;
  if (host_is_ip || host.size() <= domain.size()) return false;
  return host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.';
}

/// RFC 6265 section 5.1.4.
bool path_match(std::string_view req, std::string_view cookie_path) {
  if (req == cookie_path) return true;
  if (!req.starts_with(cookie_path)) return false;
  return cookie_path.ends_with('/') || req[cookie_path.size()] == '/';
}

std::string default_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return "/";
  const std::size_t last = path.rfind('/');
  if (last == 0) return "/";
  return std::string(path.substr(0, last));
}

bool is_ip(const url& u) {
  if (u.is_ipv6()) return true;
  const std::string_view h = u.host();
  return !h.empty() &&
         std::all_of(h.begin(), h.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

void cookie_jar::update(std::string_view set_cookie, const url& from) {
  if (!m_unsafe && is_ip(from)) return;  // aiohttp: "Don't accept cookies from IPs"
  store(set_cookie, from);
}

void cookie_jar::store(std::string_view set_cookie, const url& from) {
  std::size_t semi = set_cookie.find(';');
  const std::string_view pair = trim_ows(set_cookie.substr(0, semi));
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return;
  cookie c;
  c.name = std::string(trim_ows(pair.substr(0, eq)));
  c.value = std::string(trim_ows(pair.substr(eq + 1)));
  if (c.name.empty()) return;
  if (c.value.size() >= 2 && c.value.front() == '"' && c.value.back() == '"')
    c.value = c.value.substr(1, c.value.size() - 2);
  c.domain = std::string(from.host());
  c.path = default_path(from.path());
  std::optional<std::chrono::system_clock::time_point> expires;
  std::optional<std::chrono::system_clock::time_point> max_age;
  const auto now = std::chrono::system_clock::now();
  while (semi != std::string_view::npos) {
    set_cookie.remove_prefix(semi + 1);
    semi = set_cookie.find(';');
    const std::string_view attr = trim_ows(set_cookie.substr(0, semi));
    const std::size_t aeq = attr.find('=');
    const std::string name = lower(trim_ows(attr.substr(0, aeq)));
    const std::string_view value =
        aeq == std::string_view::npos ? std::string_view{} : trim_ows(attr.substr(aeq + 1));
    if (name == "domain" && !value.empty()) {
      std::string d = lower(value);
      if (d.front() == '.') d.erase(0, 1);
      if (!domain_match(from.host(), d, is_ip(from))) return;  // a cookie for another site: refused
      c.domain = std::move(d);
      c.host_only = false;
    } else if (name == "path" && !value.empty() && value.front() == '/') {
      c.path = std::string(value);
    } else if (name == "expires") {
      expires = parse_expires(value);
    } else if (name == "max-age") {
      long long secs = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
      if (ec == std::errc() && p == value.data() + value.size()) {
        max_age = secs <= 0 ? std::chrono::system_clock::time_point::min() : now + std::chrono::seconds(secs);
      }
    } else if (name == "secure") {
      c.secure = true;
    } else if (name == "httponly") {
      c.http_only = true;
    }
  }
  c.expires = max_age ? max_age : expires;
  const auto same = [&](const cookie& o) {
    return o.name == c.name && o.domain == c.domain && o.path == c.path;
  };
  m_cookies.erase(std::remove_if(m_cookies.begin(), m_cookies.end(), same), m_cookies.end());
  if (c.expires && *c.expires <= now) return;  // an expiry in the past deletes the cookie
  m_cookies.push_back(std::move(c));
}

void cookie_jar::set(std::string_view name, std::string_view value, const url& from) {
  std::string line(name);
  line += '=';
  line += value;
  store(line, from);
}

std::string cookie_jar::header_for(const url& to) const {
  if (m_cookies.empty()) return {};
  const auto now = std::chrono::system_clock::now();
  const bool secure = to.scheme() == "https" || to.scheme() == "wss";
  const bool ip = is_ip(to);
  if (ip && !m_unsafe) return {};
  std::vector<const cookie*> matched;
  for (const cookie& c : m_cookies) {
    if (c.expires && *c.expires <= now) continue;
    if (c.secure && !secure) continue;
    if (c.host_only ? to.host() != c.domain : !domain_match(to.host(), c.domain, ip)) continue;
    if (!path_match(to.path(), c.path)) continue;
    matched.push_back(&c);
  }
  std::stable_sort(matched.begin(), matched.end(),
                   [](const cookie* a, const cookie* b) { return a->path.size() > b->path.size(); });
  std::string out;
  for (const cookie* c : matched) {
    if (!out.empty()) out += "; ";
    out += c->name;
    out += '=';
    out += c->value;
  }
  return out;
}

}  // namespace aio::http
