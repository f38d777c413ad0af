#pragma once
// Writes a server response head into the connection's buffer: the status line, the handler's
// headers (validated), then Content-Type, framing, Date, Server and Connection. Unlike
// detail::write_response_head it adds Date and Server without building a headers object, and skips
// the framing fields the handler set (the server frames the body itself).

#include <cstdint>
#include <string>
#include <string_view>

#include "aio/http/headers.hpp"

namespace aio::http::detail {

/// How the response body is delimited.
enum class body_framing_kind : std::uint8_t { none, length, chunked, until_close };

/// What the `Connection` header says.
enum class connection_header : std::uint8_t { none, close, keep_alive, upgrade };

/// The default Content-Type of a text body. A head_spec whose content_type points at this very
/// constant skips the validation a handler's value gets.
inline constexpr std::string_view k_text_plain_utf8 = "text/plain; charset=utf-8";

struct head_spec {
  int status = 200;
  std::string_view reason;  // "" = standard phrase
  const headers* fields = nullptr;
  std::string_view content_type;  // "" = none (unless `fields` has one)
  body_framing_kind framing = body_framing_kind::none;
  std::uint64_t length = 0;
  connection_header connection = connection_header::none;
};

/// Appends the head. @par Errors `std::invalid_argument` for an unsafe header name or value.
void write_server_head(std::string& out, const head_spec& spec);

}  // namespace aio::http::detail
