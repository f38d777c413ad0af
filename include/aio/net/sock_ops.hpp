#pragma once
/// @file sock_ops.hpp
/// asyncio's `loop.sock_*` family: awaitable operations on raw non-blocking sockets the caller owns
/// (`sock_recv`, `sock_recv_into`, `sock_recvfrom`, `sock_sendall`, `sock_sendto`, `sock_connect`,
/// `sock_accept`).
///
/// Each call first tries its syscall at once; only when the socket would block does it register the fd
/// with the loop for the rest of the call (an epoll_ctl to add it and one to remove it, about 1 µs
/// each), which streams and `udp_socket` pay once per socket. Use them for sockets that another
/// library created or configures; prefer streams or `udp_socket` for sockets aio can own.
///
/// Preconditions, for every function here:
/// - the fd is a socket in non-blocking mode (checked: `std::invalid_argument`, as asyncio checks
///   `sock.gettimeout() == 0`);
/// - at most one receiving call (`sock_recv*`, `sock_accept`) and one sending call (`sock_send*`,
///   `sock_connect`) at a time per fd (a second one that must wait throws `std::logic_error`);
/// - the fd is not watched by `loop.add_reader`/`add_writer` meanwhile, and is not owned by a stream, a
///   server or a `udp_socket` (registering it twice throws `std::logic_error` on epoll);
/// - the caller does not close the fd while a call on it waits (cancel the call first).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "aio/net/datagram.hpp"
#include "aio/net/socket_address.hpp"
#include "aio/task/coro.hpp"

namespace aio {

/// What `sock_accept` returns: the new connection's fd (owned by the caller) and the peer's address.
struct accepted_socket {
  int fd = -1;  ///< non-blocking and close-on-exec (unlike Python's, which is blocking)
  socket_address address;
};

/// Receives up to `n` bytes (asyncio's `sock_recv`); an empty string means EOF on a stream socket.
/// @par Cancellation
/// Cancel-safe: a cancelled call received nothing.
/// @par Errors
/// `std::invalid_argument` for a blocking fd; `std::system_error` naming the fd.
coro<std::string> sock_recv(int fd, std::size_t n);

/// Receives into `buf`; returns the byte count (asyncio's `sock_recv_into`). `buf` must stay valid
/// until the call completes. As `sock_recv`.
coro<std::size_t> sock_recv_into(int fd, std::span<char> buf);

/// Receives one datagram of at most `n` bytes and its sender (asyncio's `sock_recvfrom`).
/// @par Cancellation
/// Cancel-safe: a cancelled call consumes no datagram.
/// @par Errors
/// As `sock_recv`.
coro<datagram> sock_recvfrom(int fd, std::size_t n = 65536);

/// Sends all of `data` (asyncio's `sock_sendall`), waiting for buffer space as needed. `data` must stay
/// valid until the call completes (it does inside one `co_await` expression).
/// @par Cancellation
/// Not cancel-safe, as in asyncio: a cancelled call may have sent a prefix of `data`, and how much is
/// not reported. Cancel only when the connection will be closed anyway.
/// @par Errors
/// `std::invalid_argument` for a blocking fd; `std::system_error` naming the fd (EPIPE, ECONNRESET;
/// never SIGPIPE).
coro<> sock_sendall(int fd, std::string_view data);

/// Sends `data` as one datagram to `to` (asyncio's `sock_sendto`); returns its size.
/// @par Cancellation
/// Cancel-safe: a cancelled call sent nothing.
/// @par Errors
/// As `sock_sendall`, naming `to`.
coro<std::size_t> sock_sendto(int fd, std::string_view data, socket_address to);

/// Connects the socket to `addr` (asyncio's `sock_connect`; the address must already be resolved).
/// @par Cancellation
/// Cancelling leaves the socket half-connected: close it (as asyncio).
/// @par Errors
/// `std::invalid_argument` for a blocking fd; `std::system_error` naming `addr` ("aio: cannot connect to
/// 127.0.0.1:1: Connection refused").
coro<> sock_connect(int fd, socket_address addr);

/// Accepts one connection on a listening socket (asyncio's `sock_accept`).
/// @par Cancellation
/// Cancel-safe: a cancelled call accepted nothing (the connection stays in the backlog).
/// @par Errors
/// `std::invalid_argument` for a blocking fd; `std::system_error` naming the fd (EMFILE, ...).
coro<accepted_socket> sock_accept(int fd);

}  // namespace aio
