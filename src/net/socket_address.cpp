#include "aio/net/socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <stdexcept>

namespace aio {

std::optional<socket_address> socket_address::from_ip(std::string_view ip, std::uint16_t port) {
  std::string s(ip);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  socket_address a;
  sockaddr_in v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(a.m_storage, &v4, sizeof v4);
    a.m_size = sizeof v4;
    return a;
  }
  sockaddr_in6 v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(a.m_storage, &v6, sizeof v6);
    a.m_size = sizeof v6;
    return a;
  }
  return std::nullopt;
}

socket_address socket_address::unix_path(std::string_view path) {
  sockaddr_un un{};
  if (path.empty() || path.size() >= sizeof un.sun_path) {
    throw std::invalid_argument("aio: a Unix socket path must have 1 to " +
                                std::to_string(sizeof un.sun_path - 1) + " bytes, got " +
                                std::to_string(path.size()));
  }
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.data(), path.size());
  socket_address a;
  std::memcpy(a.m_storage, &un, sizeof un);
  a.m_size = static_cast<std::uint32_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return a;
}

socket_address socket_address::from_raw(const void* addr, std::size_t len) {
  socket_address a;
  a.m_size = static_cast<std::uint32_t>(std::min(len, sizeof a.m_storage));
  std::memcpy(a.m_storage, addr, a.m_size);
  return a;
}

int socket_address::family() const noexcept {
  if (m_size < sizeof(sa_family_t)) return 0;
  sa_family_t f{};
  std::memcpy(&f, m_storage, sizeof f);
  return f;
}

std::uint16_t socket_address::port() const noexcept {
  if (family() == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, m_storage, sizeof v4);
    return ntohs(v4.sin_port);
  }
  if (family() == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, m_storage, sizeof v6);
    return ntohs(v6.sin6_port);
  }
  return 0;
}

std::string socket_address::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, m_storage, sizeof v4);
    ::inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
    return buf;
  }
  if (family() == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, m_storage, sizeof v6);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
    return buf;
  }
  if (family() == AF_UNIX) {
    const std::size_t off = offsetof(sockaddr_un, sun_path);
    if (m_size <= off) return {};
    const auto* p = reinterpret_cast<const char*>(m_storage + off);
    return {p, ::strnlen(p, m_size - off)};
  }
  return {};
}

std::string socket_address::to_string() const {
  switch (family()) {
    case AF_INET:
      return host() + ":" + std::to_string(port());
    case AF_INET6:
      return "[" + host() + "]:" + std::to_string(port());
    default:
      return host();
  }
}

bool operator==(const socket_address& a, const socket_address& b) noexcept {
  return a.m_size == b.m_size && std::memcmp(a.m_storage, b.m_storage, a.m_size) == 0;
}

}  // namespace aio
