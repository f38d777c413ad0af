// udp_socket: one heap state per socket, shared by the handle and by the calls in flight, so that a
// moved or destroyed handle never leaves a parked call pointing at freed memory.
//
// State: the fd's io_registration (its address is what epoll knows, so it never moves), a lock per
// direction (FIFO turns among tasks: one operation per direction is what the backend allows), the
// receive buffer (reused, datagrams are copied out at their exact size), and the operation parked in
// each direction so that close() can complete it with EBADF. If the backend cannot withdraw an
// operation at once (io_uring owns it until the kernel acknowledges the cancel), closing the fd waits
// for that operation to come back.

#include "aio/net/udp_socket.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "aio/io/detail/io_operation.hpp"
#include "aio/net/getaddrinfo.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/sync/lock.hpp"
#include "aio/sync/scoped.hpp"
#include "socket_setup.hpp"

namespace aio {

struct udp_socket::state {
  state(event_loop& loop, int fd) : m_loop(&loop) {
    m_reg.m_fd = fd;
    m_reg.m_is_socket = true;
  }
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  ~state() {
    m_closing = true;
    finish_close();
  }

  [[nodiscard]] bool closed() const noexcept { return m_closing; }

  void close() noexcept {
    if (m_closing) return;
    m_closing = true;
    abort_parked(m_recv_op);
    abort_parked(m_send_op);
    finish_close();
  }

  /// Detaches and closes the fd once no operation is owned by the backend any more.
  void finish_close() noexcept {
    if (!m_closing || m_reg.m_fd < 0) return;
    if ((m_recv_op != nullptr && m_recv_op->op().m_pending) ||
        (m_send_op != nullptr && m_send_op->op().m_pending)) {
      return;  // the operation's return calls us again
    }
    if (m_reg.m_attached) detail::loop_access::detach_io(*m_loop, m_reg);
    ::close(m_reg.m_fd);
    m_reg.m_fd = -1;
  }

  void ensure_attached() {
    if (!m_reg.m_attached) detail::loop_access::attach_io(*m_loop, m_reg);
  }

  /// Throws EBADF when the socket is closed.
  void check_open(const char* what) const {
    if (m_closing) throw std::system_error(EBADF, std::generic_category(), std::string("aio: ") + what);
  }

  event_loop* m_loop;
  detail::io_registration m_reg;
  socket_address m_peer;
  lock m_recv_lock;
  lock m_send_lock;
  std::vector<char> m_rbuf;
  detail::io_operation* m_recv_op = nullptr;
  detail::io_operation* m_send_op = nullptr;
  bool m_closing = false;

 private:
  // Withdraws a parked operation so that its task wakes and throws EBADF. When the backend cannot
  // withdraw it at once (io_uring owns the buffer), the completion follows (-ECANCELED, which the
  // awaiting call also reports as EBADF since the socket is closed; or its real result, kept).
  void abort_parked(detail::io_operation* op) noexcept {
    if (op == nullptr || !op->op().m_pending) return;  // not parked, or its result is already in
    if (detail::loop_access::cancel_io(*m_loop, op->op())) {
      op->op().m_result = -EBADF;
      op->op().m_complete(op->op());  // wakes the waiting task, as the backend would
    }
  }
};

using state_ptr = std::shared_ptr<udp_socket::state>;

struct udp_socket_access {
  static udp_socket make(state_ptr st) noexcept { return udp_socket(std::move(st)); }
};

namespace {

/// Marks `op` as the operation parked in one direction while it is in flight, for close().
class parked {
 public:
  parked(udp_socket::state& st, detail::io_operation*& slot, detail::io_operation& op) noexcept
      : m_st(&st), m_slot(&slot) {
    slot = &op;
  }
  parked(const parked&) = delete;
  parked& operator=(const parked&) = delete;
  ~parked() {
    *m_slot = nullptr;
    m_st->finish_close();
  }

 private:
  udp_socket::state* m_st;
  detail::io_operation** m_slot;
};

std::string bound_name(const udp_socket::state& st) {
  socket_address a;
  auto len = static_cast<socklen_t>(socket_address::capacity());
  if (st.m_reg.m_fd >= 0 && ::getsockname(st.m_reg.m_fd, static_cast<sockaddr*>(a.data()), &len) == 0) {
    a.resize(len);
  }
  return a.to_string();
}

state_ptr open_udp(int family, const udp_options& opts, const socket_address& for_error) {
  const int fd = detail::open_socket(family, SOCK_DGRAM, for_error.to_string());
  auto st = std::make_shared<udp_socket::state>(get_running_loop(), fd);
  if (opts.reuse_port) detail::set_socket_option(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
  if (opts.allow_broadcast) detail::set_socket_option(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST");
  return st;
}

std::string wildcard(const std::string& host, int family) {
  if (!host.empty()) return host;
  return family == AF_INET6 ? "::" : "0.0.0.0";
}

coro<std::vector<socket_address>> resolve(std::string host, std::uint16_t port, int family, int flags) {
  const getaddrinfo_options gai{.family = family, .type = SOCK_DGRAM, .protocol = 0, .flags = flags};
  std::vector<address_info> infos = co_await getaddrinfo(std::move(host), port, gai);
  std::vector<socket_address> out;
  out.reserve(infos.size());
  for (const address_info& ai : infos) out.push_back(ai.address);
  co_return out;
}

coro<state_ptr> bind_impl(std::string host, std::uint16_t port, udp_options opts) {
  const std::string name = wildcard(host, opts.family);
  std::vector<socket_address> addrs = co_await resolve(name, port, opts.family, AI_PASSIVE);
  int err = EADDRNOTAVAIL;
  std::string tried;
  for (const socket_address& a : addrs) {
    state_ptr st = open_udp(a.family(), opts, a);
    if (::bind(st->m_reg.m_fd, static_cast<const sockaddr*>(a.data()), a.size()) == 0) co_return st;
    err = errno;
    tried += (tried.empty() ? "" : ", ") + a.to_string();
  }
  throw std::system_error(err, std::generic_category(), "aio: cannot bind " + (tried.empty() ? name : tried));
}

void connect_now(udp_socket::state& st, const socket_address& peer) {
  st.check_open("connect on a closed UDP socket");
  if (::connect(st.m_reg.m_fd, static_cast<const sockaddr*>(peer.data()), peer.size()) != 0) {
    detail::throw_socket_error(errno, "cannot connect to", peer);
  }
  st.m_peer = peer;
}

coro<> connect_host(state_ptr st, std::string host, std::uint16_t port) {
  st->check_open("connect on a closed UDP socket");
  sockaddr_storage own{};
  auto len = static_cast<socklen_t>(sizeof own);
  ::getsockname(st->m_reg.m_fd, reinterpret_cast<sockaddr*>(&own), &len);
  std::vector<socket_address> addrs = co_await resolve(std::move(host), port, own.ss_family, 0);
  connect_now(*st, addrs.front());  // getaddrinfo never answers an empty list without an error
}

coro<state_ptr> connect_to_impl(std::string host, std::uint16_t port, udp_options opts) {
  std::vector<socket_address> addrs = co_await resolve(host, port, opts.family, 0);
  state_ptr st = open_udp(addrs.front().family(), opts, addrs.front());
  connect_now(*st, addrs.front());
  co_return st;
}

coro<std::size_t> send_impl(state_ptr st, std::string_view data, socket_address to) {
  const bool connected = to.size() == 0;
  auto held = co_await scoped(st->m_send_lock);
  st->check_open(connected ? "send on a closed UDP socket" : "send_to on a closed UDP socket");
  st->ensure_attached();
  iovec iov{const_cast<char*>(data.data()), data.size()};  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  msghdr msg{};
  msg.msg_name = connected ? nullptr : to.data();
  msg.msg_namelen = connected ? 0 : to.size();
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  detail::io_operation op(*st->m_loop, st->m_reg, detail::io_kind::sendmsg);
  op.op().m_buf = &msg;
  const parked mark(*st, st->m_send_op, op);
  const std::int64_t r = co_await op;
  if (r < 0) {
    if (st->closed()) st->check_open("UDP socket closed while sending");
    detail::throw_socket_error(static_cast<int>(-r), "cannot send to", connected ? st->m_peer : to);
  }
  co_return static_cast<std::size_t>(r);
}

coro<datagram> recv_impl(state_ptr st, std::size_t max) {
  auto held = co_await scoped(st->m_recv_lock);
  st->check_open("recv_from on a closed UDP socket");
  st->ensure_attached();
  if (st->m_rbuf.size() < max) st->m_rbuf.resize(max);
  datagram out;
  iovec iov{st->m_rbuf.data(), max};
  msghdr msg{};
  msg.msg_name = out.from.data();
  msg.msg_namelen = socket_address::capacity();
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  detail::io_operation op(*st->m_loop, st->m_reg, detail::io_kind::recvmsg);
  op.op().m_buf = &msg;
  op.op().m_flags = MSG_TRUNC;  // the result is the datagram's real length even when it is longer
  const parked mark(*st, st->m_recv_op, op);
  const std::int64_t r = co_await op;
  // From here to co_return nothing suspends: a cancel arriving now is delivered at the caller's next
  // suspension point, and the datagram is not lost.
  if (r < 0) {
    if (st->closed()) st->check_open("UDP socket closed while receiving");
    const int err = static_cast<int>(-r);
    if (st->m_peer.size() != 0) detail::throw_socket_error(err, "cannot receive from", st->m_peer);
    throw std::system_error(err, std::generic_category(), "aio: cannot receive on " + bound_name(*st));
  }
  const auto n = static_cast<std::size_t>(r);
  out.truncated = n > max || (msg.msg_flags & MSG_TRUNC) != 0;
  out.data.assign(st->m_rbuf.data(), std::min(n, max));
  out.from.resize(msg.msg_namelen);
  co_return out;
}

coro<std::string> recv_data_impl(state_ptr st, std::size_t max) {
  datagram d = co_await recv_impl(std::move(st), max);
  co_return std::move(d.data);
}

coro<udp_socket> wrap(coro<state_ptr> c) {
  state_ptr st = co_await std::move(c);
  co_return udp_socket_access::make(std::move(st));
}
}  // namespace

udp_socket& udp_socket::operator=(udp_socket&& other) noexcept {
  if (this != &other) {
    close();
    m_state = std::move(other.m_state);
  }
  return *this;
}

udp_socket::~udp_socket() { close(); }

coro<udp_socket> udp_socket::bind(std::string host, std::uint16_t port, udp_options opts) {
  // A plain function forwarding to a coroutine (defaulted options and g++ 12: docs/design/compilers.md).
  return wrap(bind_impl(std::move(host), port, opts));
}

coro<udp_socket> udp_socket::connect_to(std::string host, std::uint16_t port, udp_options opts) {
  return wrap(connect_to_impl(std::move(host), port, opts));
}

namespace {
coro<> connect_addr(state_ptr st, socket_address peer) {
  connect_now(*st, peer);
  co_return;
}
const state_ptr& live(const state_ptr& st, const char* what) {
  if (!st) throw std::system_error(EBADF, std::generic_category(), std::string("aio: ") + what);
  return st;
}
}  // namespace

coro<> udp_socket::connect(std::string host, std::uint16_t port) {
  return connect_host(live(m_state, "connect on a closed UDP socket"), std::move(host), port);
}

coro<> udp_socket::connect(socket_address peer) {
  return connect_addr(live(m_state, "connect on a closed UDP socket"), peer);
}

coro<std::size_t> udp_socket::send_to(std::string_view data, socket_address to) {
  if (to.size() == 0) throw std::invalid_argument("aio: udp_socket::send_to needs an address");
  return send_impl(live(m_state, "send_to on a closed UDP socket"), data, to);
}

coro<std::size_t> udp_socket::send(std::string_view data) {
  return send_impl(live(m_state, "send on a closed UDP socket"), data, socket_address{});
}

coro<datagram> udp_socket::recv_from(std::size_t max) {
  return recv_impl(live(m_state, "recv_from on a closed UDP socket"), max);
}

coro<std::string> udp_socket::recv(std::size_t max) {
  return recv_data_impl(live(m_state, "recv on a closed UDP socket"), max);
}

socket_address udp_socket::local_address() const {
  socket_address a;
  if (!m_state || m_state->m_reg.m_fd < 0 || m_state->closed()) return a;
  auto len = static_cast<socklen_t>(socket_address::capacity());
  if (::getsockname(m_state->m_reg.m_fd, static_cast<sockaddr*>(a.data()), &len) == 0) a.resize(len);
  return a;
}

socket_address udp_socket::remote_address() const {
  return m_state && !m_state->closed() ? m_state->m_peer : socket_address{};
}

int udp_socket::fd() const noexcept { return m_state && !m_state->closed() ? m_state->m_reg.m_fd : -1; }

bool udp_socket::is_closed() const noexcept { return !m_state || m_state->closed(); }

void udp_socket::close() noexcept {
  if (m_state) m_state->close();
}

}  // namespace aio
