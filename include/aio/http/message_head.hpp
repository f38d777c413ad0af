#pragma once
/// @file message_head.hpp
/// The start line and header section of an HTTP/1.x request or response, as the parser produces it
/// and the serialiser consumes it.

#include <cstdint>
#include <optional>
#include <string>

#include "aio/http/headers.hpp"

namespace aio::http {

/// An HTTP version: 1.1 unless the peer said 1.0.
struct http_version {
  int major = 1;
  int minor = 1;
  friend bool operator==(const http_version&, const http_version&) = default;
};

/// How a message body is delimited, as read from its head.
struct body_framing {
  /// `Transfer-Encoding: chunked`.
  bool chunked = false;
  /// The `Content-Length`, if the head had one (never together with `chunked`).
  std::optional<std::uint64_t> content_length;
};

/// A parsed request line and header section.
struct request_head {
  std::string method;  ///< "GET", "POST" ... (upper case, as sent)
  std::string target;  ///< the request-target as sent: "/path?query", "*", "host:443", "http://..."
  http_version version;
  aio::http::headers headers;
  body_framing framing;
  bool keep_alive = true;        ///< the connection may carry another request after this one
  bool upgrade = false;          ///< `Upgrade` + `Connection: upgrade`, or CONNECT
  bool expect_continue = false;  ///< `Expect: 100-continue`: answer 100 before reading the body
};

/// A parsed status line and header section.
struct response_head {
  int status = 0;
  std::string reason;  ///< as sent by the server (may be empty)
  http_version version;
  aio::http::headers headers;
  body_framing framing;
  bool keep_alive = true;  ///< the connection may be reused after this response
  bool upgrade = false;    ///< 101 Switching Protocols with `Upgrade`
};

}  // namespace aio::http
