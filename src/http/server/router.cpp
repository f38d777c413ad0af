// aio::http::router: a hash map for static paths, compiled regexes for parameterised ones.

#include "aio/http/server/router.hpp"

#include <regex>
#include <stdexcept>

#include "../serialize.hpp"
#include "aio/http/query.hpp"
#include "aio/http/server/response.hpp"

namespace aio::http {

namespace {

/// Hash and equality that accept string_view keys (look-ups without building a std::string).
struct sv_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
struct sv_equal {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

struct method_handler {
  std::string method;  // "*" for any
  handler fn;
};

/// The handlers of one path, by method.
struct path_entry {
  std::vector<method_handler> methods;
  std::uint32_t id = 0;  // index in router::impl::patterns

  [[nodiscard]] const handler* find(std::string_view method) const noexcept {
    const handler* any = nullptr;
    for (const auto& m : methods) {
      if (m.method == method) return &m.fn;
      if (m.method == "*") any = &m.fn;
    }
    return any;
  }
  [[nodiscard]] std::string allow() const {
    std::string out;
    for (const auto& m : methods) {
      if (!out.empty()) out += ", ";
      out += m.method;
    }
    return out;
  }
  void add(std::string_view method, handler h) {
    for (auto& m : methods) {
      if (m.method == method)
        throw std::invalid_argument("aio.http: route added twice for " + std::string(method));
    }
    methods.push_back({std::string(method), std::move(h)});
  }
};

struct dynamic_route {
  std::string pattern;
  std::string prefix;      // a prefix route (add_static): every path under prefix + "/", no regex
  bool is_prefix = false;  // (a regex `.*` recurses per character in libstdc++: long paths overflow)
  std::regex re;
  std::vector<std::string> names;
  path_entry entry;
};

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

/// Compiles "/users/{id}/{tail:.*}" into a regex with one group per parameter.
void compile(dynamic_route& r) {
  std::string re;
  std::string_view p = r.pattern;
  while (!p.empty()) {
    const std::size_t open = p.find('{');
    re += regex_escape(p.substr(0, open));
    if (open == std::string_view::npos) break;
    // find the matching '}' (regexes may contain braces: {n:\d{3}})
    int depth = 0;
    std::size_t close = std::string_view::npos;
    for (std::size_t i = open; i < p.size(); ++i) {
      if (p[i] == '{') ++depth;
      if (p[i] == '}' && --depth == 0) {
        close = i;
        break;
      }
    }
    if (close == std::string_view::npos)
      throw std::invalid_argument("aio.http: unbalanced '{' in route " + r.pattern);
    const std::string_view inner = p.substr(open + 1, close - open - 1);
    const std::size_t colon = inner.find(':');
    const std::string_view name = inner.substr(0, colon);
    if (name.empty()) throw std::invalid_argument("aio.http: empty parameter name in route " + r.pattern);
    r.names.emplace_back(name);
    re += '(';
    re += colon == std::string_view::npos ? std::string("[^{}/]+")
                                          : "(?:" + std::string(inner.substr(colon + 1)) + ")";
    re += ')';
    p.remove_prefix(close + 1);
  }
  try {
    r.re = std::regex(re, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("aio.http: invalid regex in route " + r.pattern + ": " + e.what());
  }
}

}  // namespace

struct router::impl {
  std::unordered_map<std::string, path_entry, sv_hash, sv_equal> statics;
  std::vector<dynamic_route> dynamics;
  std::vector<std::string> patterns{std::string()};  // by path_entry::id; 0: no match

  std::uint32_t new_id(std::string pattern) {
    patterns.push_back(std::move(pattern));
    return static_cast<std::uint32_t>(patterns.size() - 1);
  }
};

router::router() : m_impl(std::make_unique<impl>()) {}
router::router(router&&) noexcept = default;
router& router::operator=(router&&) noexcept = default;
router::~router() = default;

router& router::add_route(std::string_view method, std::string_view path, handler h) {
  if (path.empty() || path.front() != '/') {
    throw std::invalid_argument("aio.http: a route path must start with '/': " + std::string(path));
  }
  if (method != "*" && !detail::is_token(method)) {
    throw std::invalid_argument("aio.http: invalid method " + std::string(method));
  }
  if (path.find('{') == std::string_view::npos) {
    path_entry& e = m_impl->statics[std::string(path)];
    e.add(method, std::move(h));
    if (e.id == 0) e.id = m_impl->new_id(std::string(path));
    return *this;
  }
  for (auto& d : m_impl->dynamics) {
    if (d.pattern == path) {
      d.entry.add(method, std::move(h));
      return *this;
    }
  }
  dynamic_route r;
  r.pattern = std::string(path);
  compile(r);
  r.entry.add(method, std::move(h));
  r.entry.id = m_impl->new_id(r.pattern);
  m_impl->dynamics.push_back(std::move(r));
  return *this;
}

void router::add_prefix_route(std::string_view method, std::string_view prefix, handler h) {
  for (auto& d : m_impl->dynamics) {
    if (d.is_prefix && d.prefix == prefix) {
      d.entry.add(method, std::move(h));
      return;
    }
  }
  dynamic_route r;
  // no pattern: add_route never merges a user's route into this one
  r.prefix = std::string(prefix);
  r.is_prefix = true;
  r.names.emplace_back("filename");
  r.entry.add(method, std::move(h));
  r.entry.id = m_impl->new_id(std::string(prefix) + "/{filename}");
  m_impl->dynamics.push_back(std::move(r));
}

router& router::add_get(std::string_view path, handler h, bool allow_head) {
  add_route("GET", path, h);
  if (allow_head) add_route("HEAD", path, std::move(h));
  return *this;
}

router::resolution router::resolve(std::string_view method, std::string_view path,
                                   match_params& params) const {
  resolution out;
  std::string allow;
  if (auto it = m_impl->statics.find(path); it != m_impl->statics.end()) {
    out.route = it->second.id;
    if (const handler* h = it->second.find(method)) {
      out.target = h;
      out.status = 200;
      return out;
    }
    allow = it->second.allow();
  }
  if (!m_impl->dynamics.empty()) {
    std::match_results<std::string_view::const_iterator> m;
    for (const auto& d : m_impl->dynamics) {
      if (d.is_prefix) {
        if (path.size() <= d.prefix.size() || !path.starts_with(d.prefix) || path[d.prefix.size()] != '/')
          continue;
      } else if (!std::regex_match(path.begin(), path.end(), m, d.re)) {
        continue;
      }
      if (const handler* h = d.entry.find(method)) {
        params.clear();
        if (d.is_prefix) {
          params.emplace_back(d.names[0], std::string(path.substr(d.prefix.size() + 1)));
        } else {
          for (std::size_t i = 0; i < d.names.size(); ++i) params.emplace_back(d.names[i], m[i + 1].str());
        }
        out.target = h;
        out.status = 200;
        out.route = d.entry.id;
        return out;
      }
      if (out.route == 0) out.route = d.entry.id;
      if (!allow.empty()) allow += ", ";
      allow += d.entry.allow();
    }
  }
  if (!allow.empty()) {
    out.status = 405;
    out.allow = std::move(allow);
  }
  return out;
}

const std::vector<std::string>& router::route_patterns() const noexcept { return m_impl->patterns; }

}  // namespace aio::http
