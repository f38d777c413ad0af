#pragma once
// Connecting stream sockets, for open_connection and the servers: to one address, to the first of
// several that accepts (in turn, or raced with RFC 8305's staggered starts), and the connected
// transport handed to a reader/writer pair. Defined in connect.cpp; the race in connect_raced.cpp.

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "aio/net/socket_address.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/task/coro.hpp"

namespace aio::detail {

/// Owns a transport that has no handles yet: aborts and releases it unless released to handles.
struct transport_deleter {
  void operator()(stream_transport* t) const noexcept;
};
using transport_ptr = std::unique_ptr<stream_transport, transport_deleter>;

/// Hands a connected transport to a new reader/writer pair.
std::pair<stream_reader, stream_writer> make_pair_from(transport_ptr t, std::size_t limit);
/// Connects a TCP or Unix socket to `addr` (TCP_NODELAY on TCP).
coro<transport_ptr> connect_one(const socket_address& addr);
/// Connects to the first address that accepts. `delay` unset: one after the other; set: Happy Eyeballs
/// (the next attempt starts after `delay` or when the previous one fails, the first success wins and
/// the others are cancelled). @par Errors the last failure, naming every address tried.
coro<transport_ptr> connect_any(const std::vector<socket_address>& addrs,
                                std::optional<std::chrono::duration<double>> delay);

}  // namespace aio::detail
