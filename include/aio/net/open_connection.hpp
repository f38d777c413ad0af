#pragma once
/// @file open_connection.hpp
/// `aio::open_connection` / `aio::open_unix_connection`: connect and get a reader/writer pair.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/optional_arg.hpp"
#include "aio/task/coro.hpp"
#include "aio/tls/ssl_context.hpp"

namespace aio {

/// Options of `open_connection` (asyncio's keyword arguments).
struct connection_options {
  /// TLS: connect, then handshake with this context.
  optional_arg<ssl_context> ssl{};
  /// The name sent as SNI and checked against the certificate (default: the host argument).
  optional_arg<std::string> server_hostname{};
  /// The reader's limit for readline/readuntil.
  std::size_t limit = detail::stream_transport::k_default_limit;
  /// RFC 8305 Happy Eyeballs: start the next address's attempt after this delay instead of waiting
  /// for the previous one to fail. Unset: one address after the other.
  std::optional<std::chrono::duration<double>> happy_eyeballs_delay{};
  /// How long the TLS handshake may take.
  std::chrono::duration<double> ssl_handshake_timeout = std::chrono::seconds(60);
};

using stream_pair = std::pair<stream_reader, stream_writer>;

/// Connects to `host:port` and returns the stream's reader and writer
/// (`auto [reader, writer] = co_await aio::open_connection("127.0.0.1", 8888)`).
///
/// The host is resolved with `aio::getaddrinfo`; every address is tried in turn (or raced, with
/// `happy_eyeballs_delay`). TCP_NODELAY is set, as asyncio does.
/// @par Cancellation
/// Cancel-safe: a cancelled connect closes its socket; nothing leaks.
/// @par Errors
/// `std::system_error` with the errno and the address ("aio: cannot connect to 127.0.0.1:1: Connection
/// refused"); with several addresses, the last failure names them all. DNS failures as
/// `aio::getaddrinfo`. TLS failures as `ssl_context`'s handshake errors.
coro<stream_pair> open_connection(std::string host, std::uint16_t port, connection_options opts = {});

/// Connects to the Unix-domain socket at `path`.
coro<stream_pair> open_unix_connection(std::string path, connection_options opts = {});

}  // namespace aio
