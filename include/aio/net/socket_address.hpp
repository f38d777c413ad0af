#pragma once
/// @file socket_address.hpp
/// `aio::socket_address`: an IPv4, IPv6 or Unix-domain socket address by value (a sockaddr_storage
/// without the OS header), printable as asyncio prints peernames.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aio {

/// A socket address. Default-constructed it is empty (`size() == 0`).
class socket_address {
 public:
  socket_address() = default;
  /// A numeric IPv4 or IPv6 address ("127.0.0.1", "::1"); nullopt when `ip` is not numeric.
  static std::optional<socket_address> from_ip(std::string_view ip, std::uint16_t port);
  /// A Unix-domain socket path. @par Errors `std::invalid_argument` when the path is too long (108).
  static socket_address unix_path(std::string_view path);
  /// Copies `len` bytes of a sockaddr.
  static socket_address from_raw(const void* addr, std::size_t len);

  /// AF_INET, AF_INET6, AF_UNIX, or 0 when empty.
  [[nodiscard]] int family() const noexcept;
  [[nodiscard]] std::uint16_t port() const noexcept;
  /// The numeric host ("127.0.0.1", "::1") or the Unix path.
  [[nodiscard]] std::string host() const;
  /// "127.0.0.1:8080", "[::1]:8080", or the Unix path.
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] const void* data() const noexcept { return m_storage; }
  void* data() noexcept { return m_storage; }
  [[nodiscard]] std::uint32_t size() const noexcept { return m_size; }
  void resize(std::uint32_t n) noexcept { m_size = n; }
  [[nodiscard]] static constexpr std::uint32_t capacity() noexcept { return sizeof(m_storage); }

  friend bool operator==(const socket_address& a, const socket_address& b) noexcept;

 private:
  alignas(8) unsigned char m_storage[128]{};
  std::uint32_t m_size = 0;
};

}  // namespace aio
