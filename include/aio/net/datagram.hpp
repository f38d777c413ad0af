#pragma once
/// @file datagram.hpp
/// `aio::datagram`: one received datagram and where it came from (asyncio's `(data, addr)` pair).

#include <string>

#include "aio/net/socket_address.hpp"

namespace aio {

/// A received datagram: what `udp_socket::recv_from` and `aio::sock_recvfrom` return.
struct datagram {
  /// The payload (at most the `max` asked for; a zero-length datagram is an empty string, not EOF).
  std::string data;
  /// The sender.
  socket_address from;
  /// The datagram was longer than `max`: `data` holds its first `max` bytes and the rest is lost (the
  /// kernel discards it, as recvfrom(2) does; Python's `recvfrom` drops it silently).
  bool truncated = false;
};

}  // namespace aio
