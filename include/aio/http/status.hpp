#pragma once
/// @file status.hpp
/// HTTP status codes: the reason phrases of RFC 9110 and the classes of codes.

#include <string_view>

namespace aio::http {

/// The standard reason phrase of `status` ("Not Found" for 404), or "" for a code without one.
[[nodiscard]] std::string_view reason_phrase(int status) noexcept;

/// True for 1xx codes.
[[nodiscard]] constexpr bool is_informational(int status) noexcept { return status >= 100 && status < 200; }

/// True if a response with `status` never has a body (1xx, 204, 304; RFC 9110 section 6.4.1).
[[nodiscard]] constexpr bool status_has_no_body(int status) noexcept {
  return is_informational(status) || status == 204 || status == 304;
}

}  // namespace aio::http
