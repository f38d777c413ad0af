#include "aio/http/content_type.hpp"

#include "aio/http/headers.hpp"
#include "text.hpp"

namespace aio::http {

namespace {

using aio::http::detail::trim_ows;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

content_type content_type::parse(std::string_view value) {
  content_type ct;
  auto semi = value.find(';');
  auto type = trim_ows(value.substr(0, semi));
  if (type.find('/') != std::string_view::npos && type.find_first_of(" \t\"") == std::string_view::npos) {
    ct.m_mime = lower(type);
  }
  std::string_view rest = semi == std::string_view::npos ? std::string_view() : value.substr(semi + 1);
  while (!rest.empty()) {
    rest = trim_ows(rest);
    auto eq = rest.find('=');
    auto next_semi = rest.find(';');
    if (eq == std::string_view::npos || (next_semi != std::string_view::npos && next_semi < eq)) {
      // A parameter without '=': skip it.
      rest = next_semi == std::string_view::npos ? std::string_view() : rest.substr(next_semi + 1);
      continue;
    }
    auto name = trim_ows(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    rest = trim_ows(rest);
    std::string val;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        val.push_back(rest[i]);
      }
      rest.remove_prefix(std::min(i + 1, rest.size()));
      auto after = rest.find(';');
      rest = after == std::string_view::npos ? std::string_view() : rest.substr(after + 1);
    } else {
      auto end = rest.find(';');
      val = std::string(trim_ows(rest.substr(0, end)));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    if (!name.empty()) ct.m_params.emplace_back(lower(name), std::move(val));
  }
  return ct;
}

std::optional<std::string_view> content_type::param(std::string_view name) const noexcept {
  for (const auto& [n, v] : m_params) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string> content_type::charset() const {
  auto cs = param("charset");
  if (!cs) return std::nullopt;
  return lower(*cs);
}

bool content_type::is_json() const noexcept {
  return m_mime == "application/json" || (m_mime.starts_with("application/") && m_mime.ends_with("+json"));
}

}  // namespace aio::http
