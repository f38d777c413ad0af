#pragma once
/// @file client_errors.hpp
/// The errors of `aio::http::client_session` (aiohttp's `ClientError` family).

#include <stdexcept>
#include <string>
#include <system_error>

#include "aio/errors.hpp"
#include "aio/http/headers.hpp"

namespace aio::http {

/// Base of the client's own errors (aiohttp's `ClientError`). Connection failures are
/// `client_connector_error` (a `std::system_error`) and timeouts `client_timeout_error` (an
/// `aio::timeout_error`), so that code catching those standard families keeps working.
class client_error : public std::runtime_error {
 public:
  client_error() : std::runtime_error("aio.http: client error") {}
  explicit client_error(const std::string& msg) : std::runtime_error(msg) {}
};

/// `raise_for_status()` on a 4xx/5xx response, and `json()` on a non-JSON response
/// (aiohttp's `ClientResponseError`): `status()` and `message()` (the reason phrase).
class client_response_error : public client_error {
 public:
  client_response_error() = default;
  client_response_error(int status, std::string message, std::string url = {})
      : client_error("aio.http: " + std::to_string(status) + " " + message +
                     (url.empty() ? "" : ", url=" + url)),
        m_status(status),
        m_message(std::move(message)),
        m_url(std::move(url)) {}
  [[nodiscard]] int status() const noexcept { return m_status; }
  [[nodiscard]] const std::string& message() const noexcept { return m_message; }
  [[nodiscard]] const std::string& url() const noexcept { return m_url; }

 private:
  int m_status = 0;
  std::string m_message;
  std::string m_url;
};

/// `json()` on a response whose Content-Type is not JSON (aiohttp's `ContentTypeError`).
class content_type_error : public client_response_error {
 public:
  using client_response_error::client_response_error;
};

/// The response could not be read: malformed head or body framing, corrupt compression, a body cut
/// short (aiohttp's `ClientPayloadError`). `what()` names the reason.
class client_payload_error : public client_error {
 public:
  using client_error::client_error;
};

/// The response head was malformed or too large (aiohttp's `ClientResponseError` from the parser):
/// `what()` names the reason ("Header section too large").
class bad_response_error : public client_payload_error {
 public:
  using client_payload_error::client_payload_error;
};

/// The server closed the connection before a complete response (aiohttp's
/// `ServerDisconnectedError`).
class server_disconnected_error : public client_error {
 public:
  server_disconnected_error() : client_error("aio.http: server disconnected") {}
  using client_error::client_error;
};

/// More redirects than `max_redirects` (aiohttp's `TooManyRedirects`).
class too_many_redirects : public client_error {
 public:
  using client_error::client_error;
};

/// A connection could not be made: DNS failure, refused, unreachable, TLS handshake failure
/// (aiohttp's `ClientConnectorError`). `code()` is the underlying error (errno, `aio::gai_category()`,
/// `aio::tls_category()`); `what()` names the host and port.
class client_connector_error : public std::system_error {
 public:
  client_connector_error(std::error_code code, const std::string& msg) : std::system_error(code, msg) {}
};

/// Which of `client_timeout`'s limits expired.
enum class timeout_kind { total, connect, sock_connect, sock_read };

/// A `client_timeout` limit expired (aiohttp's `ServerTimeoutError`/`ConnectionTimeoutError`).
/// Derives from `aio::timeout_error`; `kind()` and `what()` name the limit ("sock_read timeout").
class client_timeout_error : public aio::timeout_error {
 public:
  client_timeout_error(timeout_kind kind, const std::string& msg) : aio::timeout_error(msg), m_kind(kind) {}
  [[nodiscard]] timeout_kind kind() const noexcept { return m_kind; }

 private:
  timeout_kind m_kind;
};

}  // namespace aio::http
