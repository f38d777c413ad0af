#pragma once
/// @file client_timeout.hpp
/// `aio::http::client_timeout`: the time limits of a client request (aiohttp's `ClientTimeout`).

#include <chrono>
#include <optional>

namespace aio::http {

/// Time limits of a request; an unset member means no limit. Every expiry throws
/// `aio::http::client_timeout_error` (an `aio::timeout_error`) naming the limit.
struct client_timeout {
  using seconds = std::chrono::duration<double>;
  /// The whole request: connecting, sending, the redirects, and reading the body (each body read is
  /// checked against the same deadline).
  std::optional<seconds> total = seconds(300);
  /// Getting a connection: waiting for a free slot of the pool plus `sock_connect`.
  std::optional<seconds> connect{};
  /// Opening one new connection (DNS, TCP, TLS handshake).
  std::optional<seconds> sock_connect = seconds(30);
  /// The longest wait for the next bytes of the response (head or body).
  std::optional<seconds> sock_read{};
};

}  // namespace aio::http
