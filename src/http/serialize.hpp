#pragma once
/// @file serialize.hpp
/// Writing HTTP/1.1 message heads and chunked bodies into a `std::string` (no I/O).
///
/// The writers append to a caller-owned string so a connection can reuse one buffer. They add the
/// framing header the caller asks for (Content-Length or Transfer-Encoding: chunked) unless the headers
/// already carry one, and reject a name or value that could split the message (CR, LF, NUL, or a name
/// that is not an RFC 9110 token): header injection becomes `std::invalid_argument`, never bytes on
/// the wire.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "aio/http/headers.hpp"
#include "aio/http/message_head.hpp"

namespace aio::http::detail {

/// How the body following a head is delimited.
struct framing_choice {
  enum class mode : std::uint8_t {
    none,            ///< add nothing (a body-less message, or the caller's headers already frame it)
    content_length,  ///< add `Content-Length: length`
    chunked,         ///< add `Transfer-Encoding: chunked`
  };
  mode how = mode::none;
  std::uint64_t length = 0;

  static framing_choice none() noexcept { return {}; }
  static framing_choice content_length(std::uint64_t n) noexcept { return {mode::content_length, n}; }
  static framing_choice chunked() noexcept { return {mode::chunked, 0}; }
};

/// Appends a status line and headers, then the empty line.
///
/// `reason` empty means the standard phrase of `status`. The framing header is not added for 1xx,
/// 204 and 304, which have no body.
/// @par Errors
/// `std::invalid_argument` for a status outside 100..999 or an unsafe header name or value.
void write_response_head(std::string& out, int status, const headers& fields, framing_choice framing,
                         std::string_view reason = {}, http_version version = {});

/// Appends a request line and headers, then the empty line.
/// @par Errors
/// `std::invalid_argument` for a method that is not a token, a target with whitespace or control
/// characters, or an unsafe header name or value.
void write_request_head(std::string& out, std::string_view method, std::string_view target,
                        const headers& fields, framing_choice framing, http_version version = {});

/// Appends one chunk (`size CRLF data CRLF`); an empty `data` appends nothing (it would end the body).
void write_chunk(std::string& out, std::string_view data);

/// Appends the last chunk and an empty trailer section (`0 CRLF CRLF`).
void write_last_chunk(std::string& out);

/// True if `name` is an RFC 9110 token (a valid method or header name).
[[nodiscard]] bool is_token(std::string_view name) noexcept;

/// True if `value` can be a header field value (no CR, LF or NUL).
[[nodiscard]] bool is_safe_field_value(std::string_view value) noexcept;

/// Formats a time as an RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
[[nodiscard]] std::string format_http_date(std::time_t t);

/// The current time as an IMF-fixdate for the `Date` header, cached per thread and recomputed at most
/// once per second. The view stays valid until this thread's next call.
[[nodiscard]] std::string_view http_date_now();

}  // namespace aio::http::detail
