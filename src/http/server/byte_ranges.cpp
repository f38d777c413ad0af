// Range header evaluation and multipart/byteranges framing (see byte_ranges.hpp).

#include "byte_ranges.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

#include "../text.hpp"
#include "aio/http/headers.hpp"

namespace aio::http::detail {

namespace {

using aio::http::detail::trim_ows;

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

/// One range-spec: false when malformed; `r` unset (`satisfiable` false) for one past the end.
bool parse_spec(std::string_view spec, std::uint64_t size, byte_range& r, bool& satisfiable) {
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view a = trim_ows(spec.substr(0, dash));
  const std::string_view b = trim_ows(spec.substr(dash + 1));
  satisfiable = false;
  if (a.empty()) {  // suffix-range: the last n bytes
    std::uint64_t n = 0;
    if (!parse_u64(b, n)) return false;
    if (n == 0 || size == 0) return true;
    r.first = n >= size ? 0 : size - n;
    r.last = size - 1;
    satisfiable = true;
    return true;
  }
  if (!parse_u64(a, r.first)) return false;
  r.last = UINT64_MAX;
  if (!b.empty() && (!parse_u64(b, r.last) || r.last < r.first)) return false;
  if (r.first >= size) return true;
  r.last = std::min(r.last, size - 1);
  satisfiable = true;
  return true;
}

/// Sorted and merged when any two ranges overlap or touch; the request's order otherwise.
std::vector<byte_range> coalesce(const std::vector<byte_range>& ranges) {
  std::vector<byte_range> sorted = ranges;
  std::sort(sorted.begin(), sorted.end(),
            [](const byte_range& x, const byte_range& y) { return x.first < y.first; });
  std::vector<byte_range> merged;
  for (const byte_range& r : sorted) {
    if (!merged.empty() && r.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged.size() == ranges.size() ? ranges : merged;
}

std::string make_boundary() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "aio%016llx%08llx", static_cast<unsigned long long>(rng()),
                              static_cast<unsigned long long>(rng() & 0xFFFFFFFFULL));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

range_request parse_range_header(std::string_view value, std::uint64_t size) {
  range_request out;
  value = trim_ows(value);
  const std::size_t eq = value.find('=');
  if (eq == std::string_view::npos || !iequals(trim_ows(value.substr(0, eq)), "bytes")) return out;
  value.remove_prefix(eq + 1);
  std::vector<byte_range> ranges;
  std::size_t specs = 0;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view spec = trim_ows(value.substr(0, comma));
    value.remove_prefix(comma == std::string_view::npos ? value.size() : comma + 1);
    if (spec.empty()) continue;  // a list may have empty elements (RFC 9110 5.6.1)
    if (++specs > k_max_ranges) return out;
    byte_range r;
    bool satisfiable = false;
    if (!parse_spec(spec, size, r, satisfiable)) return out;
    if (satisfiable) ranges.push_back(r);
  }
  if (specs == 0) return out;
  if (ranges.empty()) {
    out.result = range_request::outcome::unsatisfiable;
    return out;
  }
  out.result = range_request::outcome::ranges;
  out.ranges = coalesce(ranges);
  return out;
}

byteranges_framing::byteranges_framing(std::string_view content_type, std::uint64_t size)
    : m_boundary(make_boundary()), m_part_type(content_type), m_size(size) {}

std::string byteranges_framing::content_type() const {
  return "multipart/byteranges; boundary=" + m_boundary;
}

std::string byteranges_framing::part_head(std::size_t index, const byte_range& r) const {
  std::string h = index == 0 ? "--" : "\r\n--";
  h += m_boundary;
  h += "\r\n";
  if (!m_part_type.empty()) {
    h += "Content-Type: ";
    h += m_part_type;
    h += "\r\n";
  }
  h += "Content-Range: bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
       std::to_string(m_size) + "\r\n\r\n";
  return h;
}

std::string byteranges_framing::closing() const { return "\r\n--" + m_boundary + "--\r\n"; }

std::uint64_t byteranges_framing::body_length(const std::vector<byte_range>& ranges) const {
  std::uint64_t n = closing().size();
  for (std::size_t i = 0; i < ranges.size(); ++i) n += part_head(i, ranges[i]).size() + ranges[i].length();
  return n;
}

}  // namespace aio::http::detail
