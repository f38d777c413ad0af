#pragma once
// Raw-socket helpers for the networking tests: listeners that accept (in the kernel's backlog),
// refuse (a port nobody listens on) or hang (a full accept queue drops SYNs, so connect() stays in
// SYN_SENT until it times out, which is deterministic on loopback).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "aio/net/socket_address.hpp"

namespace net_test {

/// Closes the fd it holds.
class fd_guard {
 public:
  fd_guard() = default;
  explicit fd_guard(int fd) noexcept : m_fd(fd) {}
  fd_guard(fd_guard&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  fd_guard& operator=(fd_guard&& o) noexcept {
    reset(std::exchange(o.m_fd, -1));
    return *this;
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() { reset(); }
  [[nodiscard]] int get() const noexcept { return m_fd; }
  void reset(int fd = -1) noexcept {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }

 private:
  int m_fd = -1;
};

inline aio::socket_address local_address(int fd) {
  aio::socket_address a;
  auto len = static_cast<socklen_t>(aio::socket_address::capacity());
  ::getsockname(fd, static_cast<sockaddr*>(a.data()), &len);
  a.resize(len);
  return a;
}

inline aio::socket_address peer_address(int fd) {
  aio::socket_address a;
  auto len = static_cast<socklen_t>(aio::socket_address::capacity());
  if (::getpeername(fd, static_cast<sockaddr*>(a.data()), &len) == 0) a.resize(len);
  return a;
}

/// A socket of `type` bound to `ip:port` (blocking unless `nonblocking`).
inline fd_guard bound_socket(const std::string& ip, std::uint16_t port, int type, bool nonblocking = false) {
  const aio::socket_address a = *aio::socket_address::from_ip(ip, port);
  fd_guard fd(::socket(a.family(), type | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0));
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), static_cast<const sockaddr*>(a.data()), a.size()) != 0) {
    throw std::runtime_error("test: cannot bind " + a.to_string());
  }
  return fd;
}

/// A listening TCP socket on `ip:port` whose connections complete in the kernel's backlog.
inline fd_guard listener(const std::string& ip, std::uint16_t port = 0, int backlog = 16,
                         bool nonblocking = false) {
  fd_guard fd = bound_socket(ip, port, SOCK_STREAM, nonblocking);
  ::listen(fd.get(), backlog);
  return fd;
}

/// A TCP port on `ip` that nobody listens on (connecting to it is refused at once).
inline std::uint16_t refusing_port(const std::string& ip) {
  const fd_guard fd = bound_socket(ip, 0, SOCK_STREAM);
  return local_address(fd.get()).port();  // closed on return: the port is free again
}

/// A listener whose accept queue is full (backlog 0, one connection queued and never accepted):
/// further SYNs are dropped and their connects hang. Holds the listener and the queued client.
struct hanging_listener {
  fd_guard listen_fd;
  fd_guard filler;
  [[nodiscard]] std::uint16_t port() const { return local_address(listen_fd.get()).port(); }
};

inline hanging_listener make_hanging_listener(const std::string& ip, std::uint16_t port = 0) {
  hanging_listener h;
  h.listen_fd = listener(ip, port, 0);
  const aio::socket_address a = local_address(h.listen_fd.get());
  h.filler = fd_guard(::socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (::connect(h.filler.get(), static_cast<const sockaddr*>(a.data()), a.size()) != 0) {
    throw std::runtime_error("test: cannot fill the backlog of " + a.to_string());
  }
  pollfd p{h.listen_fd.get(), POLLIN, 0};
  ::poll(&p, 1, 1000);  // the queued connection is visible: the queue is full from here on
  return h;
}

/// Sets O_NONBLOCK.
inline void set_nonblocking(int fd, bool on = true) {
  const int fl = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
}

}  // namespace net_test
