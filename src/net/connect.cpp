// Connecting a stream socket: to one address (connect_one), to the first of several that accepts,
// tried in turn (connect_any; the race of RFC 8305 Happy Eyeballs is connect_raced.cpp), and handing
// the connected transport to a reader/writer pair (make_pair_from).

#include "connect.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <system_error>

#include "aio/io/detail/io_operation.hpp"
#include "aio/runtime/event_loop.hpp"
#include "socket_setup.hpp"

namespace aio::detail {

coro<transport_ptr> connect_raced(const std::vector<socket_address>& addrs,
                                  std::chrono::duration<double> delay);

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

coro<transport_ptr> connect_any(const std::vector<socket_address>& addrs,
                                std::optional<std::chrono::duration<double>> delay) {
  if (delay && addrs.size() > 1) co_return co_await connect_raced(addrs, *delay);
  std::error_code last;
  std::string tried;
  for (const socket_address& a : addrs) {
    try {
      co_return co_await connect_one(a);
    } catch (const std::system_error& e) {
      if (addrs.size() == 1) throw;
      last = e.code();
      tried += (tried.empty() ? "" : ", ") + a.to_string() + " (" + e.code().message() + ")";
    }
  }
  throw std::system_error(last, "aio: cannot connect to any of " + tried);
}

std::pair<stream_reader, stream_writer> make_pair_from(transport_ptr t, std::size_t limit) {
  t->set_limit(limit);
  std::pair<stream_reader, stream_writer> p{stream_reader(t.get()), stream_writer(t.get())};
  t.release()->release();  // the handles hold it now
  return p;
}

}  // namespace aio::detail
