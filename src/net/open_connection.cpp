// open_connection: resolve, connect each address in turn (or race them: Happy Eyeballs), then TLS.

#include "aio/net/open_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <system_error>
#include <vector>

#include "aio/io/detail/io_operation.hpp"
#include "aio/net/getaddrinfo.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/tls/detail/start_tls.hpp"
#include "connect.hpp"
#include "socket_setup.hpp"

namespace aio {

namespace detail {

void transport_deleter::operator()(stream_transport* t) const noexcept {
  t->abort();
  t->release();
}

coro<transport_ptr> connect_one(const socket_address& addr) {
  event_loop& loop = get_running_loop();
  const int type = SOCK_STREAM;
  const int fd = open_socket(addr.family(), type, addr.to_string());
  transport_ptr t(new stream_transport(loop, fd, true));
  if (addr.family() != AF_UNIX) set_socket_option(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  io_operation op(loop, t->registration(), io_kind::connect);
  op.op().m_addr =
      const_cast<void*>(addr.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast): read only
  op.op().m_addrlen = addr.size();
  const std::int64_t r = co_await op;
  if (r < 0) throw_socket_error(static_cast<int>(-r), "cannot connect to", addr);
  t->set_peername(addr);
  co_return t;
}

stream_pair make_pair_from(transport_ptr t, std::size_t limit) {
  t->set_limit(limit);
  stream_pair p{stream_reader(t.get()), stream_writer(t.get())};
  t.release()->release();  // the handles hold it now
  return p;
}

}  // namespace detail

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
