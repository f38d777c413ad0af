// The loop.sock_* family on caller-owned sockets.
//
// Every call tries its syscall once at once (most calls on a ready socket end there, with no
// registration at all). When the socket would block, the call leases a registration for the fd from
// a per-thread table keyed by (loop, fd): the first lease attaches the fd to the loop, the last one
// detaches it, so a task receiving and another sending on the same fd share one registration (epoll
// cannot watch one fd twice). The lease lives in the calling frame, declared before the operation
// awaiter, so the operation is withdrawn before the fd is detached.

#include "aio/net/sock_ops.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <coroutine>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "../backend/backend.hpp"
#include "aio/detail/coop_budget.hpp"
#include "aio/io/detail/io_operation.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"
#include "socket_setup.hpp"

namespace aio {

namespace {

struct shared_registration {
  detail::io_registration m_reg;
  std::size_t m_users = 0;
};

using lease_key = std::pair<const event_loop*, int>;
// Entries exist only while a call holds a lease (each loop runs on one thread).
thread_local std::map<lease_key, std::unique_ptr<shared_registration>> t_leases;

/// The fd's registration with the loop for the duration of one call.
class fd_lease {
 public:
  fd_lease(event_loop& loop, int fd) : m_loop(&loop), m_key(&loop, fd) {
    auto it = t_leases.find(m_key);
    if (it == t_leases.end()) {
      auto sr = std::make_unique<shared_registration>();
      sr->m_reg.m_fd = fd;
      try {
        detail::loop_access::attach_io(loop, sr->m_reg);
      } catch (const std::system_error& e) {
        if (e.code() == std::errc::file_exists) {
          throw std::logic_error("aio: fd " + std::to_string(fd) +
                                 " is already watched by the loop (add_reader/add_writer, a stream, a "
                                 "server or a udp_socket): sock_* functions cannot use it meanwhile");
        }
        throw;
      }
      it = t_leases.emplace(m_key, std::move(sr)).first;
    }
    m_shared = it->second.get();
    ++m_shared->m_users;
  }
  fd_lease(const fd_lease&) = delete;
  fd_lease& operator=(const fd_lease&) = delete;
  ~fd_lease() {
    if (--m_shared->m_users != 0) return;
    detail::loop_access::detach_io(*m_loop, m_shared->m_reg);
    t_leases.erase(m_key);
  }

  detail::io_registration& reg() noexcept { return m_shared->m_reg; }

 private:
  event_loop* m_loop;
  lease_key m_key;
  shared_registration* m_shared = nullptr;
};

void check_nonblocking(int fd, const char* fn) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) {
    throw std::system_error(errno, std::generic_category(),
                            std::string("aio: ") + fn + " on fd " + std::to_string(fd));
  }
  if ((flags & O_NONBLOCK) == 0) {
    throw std::invalid_argument(std::string("aio: ") + fn + " needs a non-blocking socket, but fd " +
                                std::to_string(fd) + " is in blocking mode (set O_NONBLOCK first)");
  }
}

[[noreturn]] void throw_fd_error(std::int64_t r, const char* fn, int fd) {
  throw std::system_error(static_cast<int>(-r), std::generic_category(),
                          std::string("aio: ") + fn + " on fd " + std::to_string(fd));
}

/// A request for one operation; the fields of io_op the caller sets.
struct request {
  detail::io_kind kind = detail::io_kind::recv;
  void* buf = nullptr;
  std::size_t len = 0;
  int flags = 0;
  void* addr = nullptr;
  std::uint32_t addrlen = 0;
};

void fill(detail::io_op& op, const request& rq) noexcept {
  op.m_buf = rq.buf;
  op.m_len = rq.len;
  op.m_flags = rq.flags;
  op.m_addr = rq.addr;
  op.m_addrlen = rq.addrlen;
}

/// The syscall once, without the loop (no registration, no readiness cache). On a spent cooperative
/// budget it is not tried: -EAGAIN sends the caller through the loop, which yields or delivers a cancel.
std::int64_t try_once(int fd, const request& rq, std::uint32_t* addrlen_out = nullptr) {
  if (!detail::coop_spend()) return -EAGAIN;
  detail::io_op op;
  op.m_kind = rq.kind;
  op.m_fd = fd;
  fill(op, rq);
  const std::int64_t r = detail::perform_io(op);
  if (addrlen_out != nullptr) *addrlen_out = op.m_addrlen;
  return r;
}

/// Awaited on the fast path, where the call completes without waiting: never suspends. (clang-tidy 14's
/// analyzer does not model a coroutine's promise and reports it as uninitialised on any path that
/// reaches `co_return value` without a `co_await`; this gives every path one, at no cost.)
struct completed_in_place {
  [[nodiscard]] bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<> /*h*/) const noexcept {}
  void await_resume() const noexcept {}
};

/// The operation through the loop (after a would-block): returns the result (>= 0 or -errno).
coro<std::int64_t> wait_and_run(int fd, request rq, std::uint32_t* addrlen_out = nullptr) {
  event_loop& loop = get_running_loop();
  fd_lease lease(loop, fd);
  detail::io_operation op(loop, lease.reg(), rq.kind);
  fill(op.op(), rq);
  const std::int64_t r = co_await op;
  if (addrlen_out != nullptr) *addrlen_out = op.op().m_addrlen;
  co_return r;
}

msghdr make_msghdr(iovec& iov, socket_address* name) noexcept {
  msghdr msg{};
  if (name != nullptr) {
    msg.msg_name = name->data();
    msg.msg_namelen = name->size() != 0 ? name->size() : socket_address::capacity();
  }
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  return msg;
}

}  // namespace

coro<std::string> sock_recv(int fd, std::size_t n) {
  check_nonblocking(fd, "sock_recv");
  std::string out(n, '\0');
  const request rq{.kind = detail::io_kind::recv, .buf = out.data(), .len = n};
  std::int64_t r = try_once(fd, rq);
  if (r == -EAGAIN) {
    r = co_await wait_and_run(fd, rq);
  } else {
    co_await completed_in_place{};
  }
  if (r < 0) throw_fd_error(r, "sock_recv", fd);
  out.resize(static_cast<std::size_t>(r));
  if (out.capacity() > 2 * out.size() + 64) out.shrink_to_fit();  // do not keep `n` bytes for a short read
  co_return out;
}

coro<datagram> sock_recvfrom(int fd, std::size_t n) {
  check_nonblocking(fd, "sock_recvfrom");
  datagram out;
  out.data.resize(n);
  iovec iov{out.data.data(), n};
  msghdr msg = make_msghdr(iov, &out.from);
  const request rq{.kind = detail::io_kind::recvmsg, .buf = &msg, .flags = MSG_TRUNC};
  std::int64_t r = try_once(fd, rq);
  if (r == -EAGAIN) {
    r = co_await wait_and_run(fd, rq);
  } else {
    co_await completed_in_place{};
  }
  if (r < 0) throw_fd_error(r, "sock_recvfrom", fd);
  const auto len = static_cast<std::size_t>(r);
  out.truncated = len > n || (msg.msg_flags & MSG_TRUNC) != 0;
  out.data.resize(std::min(len, n));
  if (out.data.capacity() > 2 * out.data.size() + 64) out.data.shrink_to_fit();
  out.from.resize(msg.msg_namelen);
  co_return out;
}

coro<> sock_sendall(int fd, std::string_view data) {
  check_nonblocking(fd, "sock_sendall");
  event_loop& loop = get_running_loop();
  std::optional<fd_lease> lease;  // taken at the first would-block, kept for the rest of the call
  std::size_t off = 0;
  do {  // a zero-length send still reports a broken socket, as Python's sendall(b"")
    const request rq{.kind = detail::io_kind::send,
                     .buf = const_cast<char*>(data.data() + off),  // NOLINT: send(2) only reads it
                     .len = data.size() - off};
    std::int64_t r = lease ? -EAGAIN : try_once(fd, rq);
    if (r == -EAGAIN) {
      if (!lease) lease.emplace(loop, fd);
      detail::io_operation op(loop, lease->reg(), rq.kind);
      fill(op.op(), rq);
      r = co_await op;
    }
    if (r < 0) throw_fd_error(r, "sock_sendall", fd);
    off += static_cast<std::size_t>(r);
  } while (off < data.size());
}

coro<std::size_t> sock_sendto(int fd, std::string_view data, socket_address to) {
  check_nonblocking(fd, "sock_sendto");
  iovec iov{const_cast<char*>(data.data()), data.size()};  // NOLINT: sendmsg(2) only reads it
  msghdr msg = make_msghdr(iov, &to);
  const request rq{.kind = detail::io_kind::sendmsg, .buf = &msg};
  std::int64_t r = try_once(fd, rq);
  if (r == -EAGAIN) {
    r = co_await wait_and_run(fd, rq);
  } else {
    co_await completed_in_place{};
  }
  if (r < 0) detail::throw_socket_error(static_cast<int>(-r), "sock_sendto: cannot send to", to);
  co_return static_cast<std::size_t>(r);
}

coro<> sock_connect(int fd, socket_address addr) {
  check_nonblocking(fd, "sock_connect");
  const request rq{.kind = detail::io_kind::connect, .addr = addr.data(), .addrlen = addr.size()};
  detail::io_op first;
  first.m_kind = rq.kind;
  first.m_fd = fd;
  fill(first, rq);
  std::int64_t r = detail::perform_io(first);  // connect(2); -EAGAIN for EINPROGRESS
  if (r == -EAGAIN) {
    event_loop& loop = get_running_loop();
    fd_lease lease(loop, fd);
    // connect(2) was made: the operation asks SO_ERROR once the socket is writable. The readiness
    // cache must not claim writability from before the connection completed.
    lease.reg().m_writable = false;
    detail::io_operation op(loop, lease.reg(), rq.kind);
    fill(op.op(), rq);
    op.op().m_started = true;
    r = co_await op;
  }
  if (r < 0) detail::throw_socket_error(static_cast<int>(-r), "cannot connect to", addr);
}

coro<accepted_socket> sock_accept(int fd) {
  check_nonblocking(fd, "sock_accept");
  accepted_socket out;
  std::uint32_t len = socket_address::capacity();
  const request rq{.kind = detail::io_kind::accept, .addr = out.address.data(), .addrlen = len};
  std::int64_t r = try_once(fd, rq, &len);
  if (r == -EAGAIN) {
    r = co_await wait_and_run(fd, rq, &len);
  } else {
    co_await completed_in_place{};
  }
  if (r < 0) throw_fd_error(r, "sock_accept", fd);
  out.fd = static_cast<int>(r);
  out.address.resize(len);
  co_return out;
}

coro<std::size_t> sock_recv_into(int fd, std::span<char> buf) {
  check_nonblocking(fd, "sock_recv_into");
  const request rq{.kind = detail::io_kind::recv, .buf = buf.data(), .len = buf.size()};
  std::int64_t r = try_once(fd, rq);
  if (r == -EAGAIN) {
    r = co_await wait_and_run(fd, rq);
  } else {
    co_await completed_in_place{};
  }
  if (r < 0) throw_fd_error(r, "sock_recv_into", fd);
  co_return static_cast<std::size_t>(r);
}

}  // namespace aio
