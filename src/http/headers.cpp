#include "aio/http/headers.hpp"

#include <algorithm>

namespace aio::http {

namespace {
constexpr unsigned char lower(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(static_cast<unsigned char>(a[i])) != lower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

headers::headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  m_fields.reserve(fields.size());
  for (const auto& [name, value] : fields) m_fields.emplace_back(std::string(name), std::string(value));
}

std::optional<std::string_view> headers::get(std::string_view name) const noexcept {
  for (const auto& [n, v] : m_fields) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::string_view headers::get(std::string_view name, std::string_view fallback) const noexcept {
  auto v = get(name);
  return v ? *v : fallback;
}

std::vector<std::string_view> headers::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : m_fields) {
    if (iequals(n, name)) out.emplace_back(v);
  }
  return out;
}

bool headers::contains(std::string_view name) const noexcept { return get(name).has_value(); }

std::size_t headers::count(std::string_view name) const noexcept {
  return static_cast<std::size_t>(std::count_if(m_fields.begin(), m_fields.end(),
                                                [&](const value_type& f) { return iequals(f.first, name); }));
}

void headers::add(std::string name, std::string value) {
  m_fields.emplace_back(std::move(name), std::move(value));
}

void headers::set(std::string_view name, std::string value) {
  auto first = std::find_if(m_fields.begin(), m_fields.end(),
                            [&](const value_type& f) { return iequals(f.first, name); });
  if (first == m_fields.end()) {
    m_fields.emplace_back(std::string(name), std::move(value));
    return;
  }
  first->second = std::move(value);
  auto rest =
      std::remove_if(first + 1, m_fields.end(), [&](const value_type& f) { return iequals(f.first, name); });
  m_fields.erase(rest, m_fields.end());
}

std::string_view headers::set_default(std::string_view name, std::string value) {
  for (const auto& [n, v] : m_fields) {
    if (iequals(n, name)) return v;
  }
  m_fields.emplace_back(std::string(name), std::move(value));
  return m_fields.back().second;
}

std::size_t headers::erase(std::string_view name) {
  auto before = m_fields.size();
  std::erase_if(m_fields, [&](const value_type& f) { return iequals(f.first, name); });
  return before - m_fields.size();
}

bool operator==(const headers& a, const headers& b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.m_fields.size(); ++i) {
    if (!iequals(a.m_fields[i].first, b.m_fields[i].first) || a.m_fields[i].second != b.m_fields[i].second) {
      return false;
    }
  }
  return true;
}

}  // namespace aio::http
