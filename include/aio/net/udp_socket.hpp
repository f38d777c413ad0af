#pragma once
/// @file udp_socket.hpp
/// `aio::udp_socket`: a UDP endpoint (asyncio's `create_datagram_endpoint`, shaped as a socket object
/// with awaitable `send_to`/`recv_from` instead of a protocol's callbacks).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aio/net/datagram.hpp"
#include "aio/net/socket_address.hpp"
#include "aio/task/coro.hpp"

namespace aio {

/// Options of `udp_socket::bind` and `udp_socket::connect_to` (asyncio's keyword arguments).
struct udp_options {
  /// AF_INET or AF_INET6 to insist on a family; 0: the first address the host resolves to. With the
  /// host "" it picks the wildcard: "0.0.0.0" unless AF_INET6 ("::", which also receives IPv4).
  int family = 0;
  /// SO_REUSEPORT: several sockets (threads, processes) bind the same address and share its datagrams.
  bool reuse_port = false;
  /// SO_BROADCAST: allows sending to broadcast addresses.
  bool allow_broadcast = false;
};

/// A UDP socket on the running loop. Move-only; destroying it closes it (as `close()`).
///
/// Datagrams keep their boundaries: each `recv_from` returns exactly one. Several tasks may send and
/// receive at once: senders take turns, receivers take turns (FIFO), each datagram goes to one of them.
/// @par Cancellation
/// Cancel-safe: a cancelled `recv_from`/`recv` consumes no datagram (it stays queued in the kernel for
/// the next call); a cancelled `send_to`/`send` sent nothing (a datagram goes out whole or not at all).
/// @par Errors
/// `std::system_error` with the errno, naming the address ("aio: cannot send to 127.0.0.1:9: ...").
/// On a connected socket, an ICMP "port unreachable" for an earlier datagram is reported by the next
/// `recv`/`send` as ECONNREFUSED, as Linux does; an unconnected socket never sees it. Using a closed
/// socket throws `std::system_error` EBADF; `close()` while a task waits in `recv_from` makes that call
/// throw EBADF.
/// @par Thread safety
/// Loop thread only; close it before its loop closes.
/// @par Example
/// @code
/// aio::udp_socket sock = co_await aio::udp_socket::bind("127.0.0.1", 9999);
/// aio::datagram d = co_await sock.recv_from();
/// co_await sock.send_to(d.data, d.from);  // echo
/// @endcode
class udp_socket {
 public:
  /// The shared state (held by the socket and by its calls in flight).
  struct state;

  /// An empty (closed) socket.
  udp_socket() noexcept = default;
  udp_socket(udp_socket&&) noexcept = default;
  /// Closes this socket first.
  udp_socket& operator=(udp_socket&& other) noexcept;
  udp_socket(const udp_socket&) = delete;
  udp_socket& operator=(const udp_socket&) = delete;
  ~udp_socket();

  /// A socket bound to `host:port` ("" is the wildcard; port 0 picks a free port, see
  /// `local_address()`). The host is resolved with `aio::getaddrinfo`; each address is tried in turn.
  /// @par Errors
  /// `std::system_error` naming the address ("aio: cannot bind 127.0.0.1:53: Permission denied");
  /// resolution errors as `aio::getaddrinfo`.
  static coro<udp_socket> bind(std::string host, std::uint16_t port, udp_options opts = {});
  /// A socket connected to `host:port` (asyncio's `remote_addr=`), bound to an ephemeral local port.
  /// @par Errors As `bind`, and `connect`.
  static coro<udp_socket> connect_to(std::string host, std::uint16_t port, udp_options opts = {});

  /// Sets the default peer (connect(2) on UDP sends no packet and completes at once, but the host is
  /// resolved first). Afterwards `send`/`recv` use it and only its datagrams are received.
  /// @par Errors
  /// `std::system_error` naming the address; the peer must be of the socket's family.
  coro<> connect(std::string host, std::uint16_t port);
  coro<> connect(socket_address peer);

  /// Sends `data` as one datagram to `to`; returns its size.
  /// `data` must stay valid until the call completes (it does inside one `co_await` expression).
  /// @par Cancellation
  /// Cancel-safe: a cancelled send sent nothing.
  /// @par Errors
  /// `std::system_error` naming `to` (EMSGSIZE for a datagram larger than the protocol allows).
  coro<std::size_t> send_to(std::string_view data, socket_address to);
  /// Sends `data` to the connected peer (`connect`). As `send_to`.
  coro<std::size_t> send(std::string_view data);

  /// Receives one datagram of at most `max` bytes (longer ones are truncated: see
  /// `datagram::truncated`).
  /// @par Cancellation
  /// Cancel-safe: a cancelled call consumes no datagram.
  /// @par Errors
  /// `std::system_error` naming the peer (connected: ECONNREFUSED after an ICMP port unreachable) or
  /// the local address.
  coro<datagram> recv_from(std::size_t max = 65536);
  /// Receives one datagram's payload from the connected peer (a truncated datagram is cut to `max`
  /// bytes silently, as recv(2); use `recv_from` to know). As `recv_from`.
  coro<std::string> recv(std::size_t max = 65536);

  /// The bound address (getsockname). Empty when closed.
  [[nodiscard]] socket_address local_address() const;
  /// The connected peer, or an empty address.
  [[nodiscard]] socket_address remote_address() const;
  /// The descriptor (for setsockopt: multicast, TTL, buffer sizes), or -1 when closed. Do not close it.
  [[nodiscard]] int fd() const noexcept;
  [[nodiscard]] bool is_closed() const noexcept;
  /// Closes the socket now (idempotent). Calls waiting in `recv_from`/`send_to` throw EBADF.
  void close() noexcept;

 private:
  explicit udp_socket(std::shared_ptr<state> s) noexcept : m_state(std::move(s)) {}
  friend struct udp_socket_access;
  std::shared_ptr<state> m_state;
};

}  // namespace aio
