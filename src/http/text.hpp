#pragma once
// Small text helpers shared by the HTTP sources.

#include <string_view>

namespace aio::http::detail {

/// Strips optional whitespace (RFC 9110's OWS: spaces and horizontal tabs) from both ends.
[[nodiscard]] inline std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace aio::http::detail
