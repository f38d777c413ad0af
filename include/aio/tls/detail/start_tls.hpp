#pragma once
/// @file start_tls.hpp
/// Puts TLS on an open stream transport: installs the OpenSSL filter and runs the handshake.

#include <chrono>
#include <string>

#include "aio/net/detail/stream_transport.hpp"
#include "aio/task/coro.hpp"
#include "aio/tls/ssl_context.hpp"

namespace aio::detail {

/// Runs the TLS handshake on `t` (client side when `ctx` is a client context). `server_hostname` is
/// sent as SNI and checked against the certificate (clients). Fails after `timeout`. On failure the
/// transport is left as it is (its owner closes it); a cancel is delivered as for any read.
/// @par Errors `std::system_error` in `aio::tls_category()` naming the peer and the reason
/// (certificate verify failed: ..., wrong version number (plain-text peer)); `aio::timeout_error`
/// ("aio: TLS handshake with <peer> timed out").
coro<> start_tls(stream_transport& t, ssl_context ctx, std::string server_hostname,
                 std::chrono::nanoseconds timeout);

}  // namespace aio::detail
