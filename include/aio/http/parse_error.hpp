#pragma once
/// @file parse_error.hpp
/// Why the HTTP/1.x parser rejected a message, and the status a server answers with.

#include <stdexcept>
#include <string>
#include <utility>

namespace aio::http {

/// The three ways a message can be refused; each maps to one response status.
enum class parse_error_kind {
  bad_request,       ///< malformed syntax or a framing ambiguity (request smuggling): 400
  header_too_large,  ///< a start line, a header line, the header section or the header count over its limit:
                     ///< 431
  body_too_large,    ///< the body exceeds `max_body`: 413
};

/// The status a server answers a request rejected for `kind` with (400, 431, 413).
[[nodiscard]] constexpr int status_for(parse_error_kind kind) noexcept {
  switch (kind) {
    case parse_error_kind::header_too_large:
      return 431;
    case parse_error_kind::body_too_large:
      return 413;
    case parse_error_kind::bad_request:
      break;
  }
  return 400;
}

/// A parse failure: its kind and a sentence for logs and the error page ("Duplicate Content-Length").
struct parse_error {
  parse_error_kind kind = parse_error_kind::bad_request;
  std::string reason;
};

/// Thrown by the layers above the parser (client and server) when a message cannot be parsed.
class http_parse_error : public std::runtime_error {
 public:
  http_parse_error() : std::runtime_error("HTTP parse error") {}
  explicit http_parse_error(parse_error e) : std::runtime_error(e.reason), m_error(std::move(e)) {}
  [[nodiscard]] const parse_error& error() const noexcept { return m_error; }

 private:
  parse_error m_error;
};

}  // namespace aio::http
