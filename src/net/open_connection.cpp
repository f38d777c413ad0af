// open_connection, open_unix_connection: resolve, connect (connect.cpp: each address in turn, or
// raced with Happy Eyeballs), then TLS.

#include "aio/net/open_connection.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "aio/net/getaddrinfo.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/tls/detail/start_tls.hpp"
#include "connect.hpp"

namespace aio {

namespace {
// Plain functions forward to these coroutines (defaulted options and g++ 12: docs/design/compilers.md).
coro<stream_pair> open_connection_impl(std::string host, std::uint16_t port, connection_options opts,
                                       std::string sni) {
  std::vector<address_info> infos = co_await getaddrinfo(host, port, {.type = SOCK_STREAM});
  std::vector<socket_address> addrs;
  addrs.reserve(infos.size());
  for (auto& ai : infos) addrs.push_back(ai.address);
  if (addrs.empty()) {
    throw std::system_error(EADDRNOTAVAIL, std::generic_category(), "aio: no address for '" + host + "'");
  }
  detail::transport_ptr t = co_await detail::connect_any(addrs, opts.happy_eyeballs_delay);
  if (opts.ssl) {
    const std::string name = sni.empty() ? host : sni;
    co_await detail::start_tls(
        *t, *opts.ssl, name,
        std::chrono::duration_cast<std::chrono::nanoseconds>(opts.ssl_handshake_timeout));
  }
  co_return detail::make_pair_from(std::move(t), opts.limit);
}

coro<stream_pair> open_unix_connection_impl(std::string path, connection_options opts, std::string sni) {
  detail::transport_ptr t = co_await detail::connect_one(socket_address::unix_path(path));
  if (opts.ssl) {
    co_await detail::start_tls(
        *t, *opts.ssl, sni, std::chrono::duration_cast<std::chrono::nanoseconds>(opts.ssl_handshake_timeout));
  }
  co_return detail::make_pair_from(std::move(t), opts.limit);
}

}  // namespace

coro<stream_pair> open_connection(std::string host, std::uint16_t port, connection_options opts) {
  std::string sni = opts.server_hostname.value_or(std::string());
  return open_connection_impl(std::move(host), port, std::move(opts), std::move(sni));
}

coro<stream_pair> open_unix_connection(std::string path, connection_options opts) {
  std::string sni = opts.server_hostname.value_or(std::string());
  return open_unix_connection_impl(std::move(path), std::move(opts), std::move(sni));
}

}  // namespace aio
