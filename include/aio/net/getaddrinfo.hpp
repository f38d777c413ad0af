#pragma once
/// @file getaddrinfo.hpp
/// `aio::getaddrinfo`: name resolution off the loop thread (asyncio's `loop.getaddrinfo`).

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "aio/net/socket_address.hpp"
#include "aio/task/coro.hpp"

namespace aio {

/// One resolved address (a row of getaddrinfo(3)'s answer).
struct address_info {
  int family = 0;    ///< AF_INET or AF_INET6
  int type = 0;      ///< SOCK_STREAM, SOCK_DGRAM
  int protocol = 0;  ///< IPPROTO_TCP, IPPROTO_UDP
  socket_address address{};
};

/// What to ask for; zeros mean "any" (AF_UNSPEC, any socket type).
struct getaddrinfo_options {
  int family = 0;
  int type = 0;
  int protocol = 0;
  int flags = 0;  ///< AI_PASSIVE, AI_NUMERICHOST, ...
};

/// The error category of getaddrinfo(3)'s EAI_* codes (socket.gaierror).
const std::error_category& gai_category() noexcept;

/// Resolves `host` and `port` into addresses, in the resolver's order.
///
/// Numeric hosts ("127.0.0.1", "::1") are answered on the loop thread at once; names go to the loop's
/// default thread pool (getaddrinfo(3) blocks), so a slow DNS server never stalls the loop.
/// @par Cancellation
/// Cancel-safe: the awaiter leaves at once; the resolver call finishes on its thread and is dropped.
/// @par Errors
/// `std::system_error` in `aio::gai_category()` naming the host ("aio: cannot resolve 'x.invalid':
/// Name or service not known").
/// @par Example
/// @code
/// for (const aio::address_info& ai : co_await aio::getaddrinfo("localhost", 8080)) { ... }
/// @endcode
coro<std::vector<address_info>> getaddrinfo(std::string host, std::uint16_t port,
                                            getaddrinfo_options opts = {});

}  // namespace aio
