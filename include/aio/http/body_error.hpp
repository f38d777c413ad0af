#pragma once
/// @file body_error.hpp
/// Errors raised while decoding a message body (compression, multipart).

#include <stdexcept>

namespace aio::http {

/// A body could not be decoded: corrupt gzip/deflate data, malformed multipart.
class body_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  body_error() : std::runtime_error("malformed HTTP body") {}
};

/// A decoded body would exceed its size limit (a "zip bomb"); a server answers 413.
class body_too_large_error : public body_error {
 public:
  using body_error::body_error;
  body_too_large_error() : body_error("HTTP body too large") {}
};

}  // namespace aio::http
