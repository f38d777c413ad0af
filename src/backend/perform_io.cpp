// One non-blocking syscall per operation kind: the shared fast path of every backend.

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "backend.hpp"

namespace aio::detail {

namespace {

std::int64_t syscall_once(io_op& op) noexcept {
  ssize_t r = 0;
  switch (op.m_kind) {
    case io_kind::read:
      r = op.m_offset >= 0 ? ::pread(op.m_fd, op.m_buf, op.m_len, static_cast<off_t>(op.m_offset))
                           : ::read(op.m_fd, op.m_buf, op.m_len);
      break;
    case io_kind::write:
      r = op.m_offset >= 0 ? ::pwrite(op.m_fd, op.m_buf, op.m_len, static_cast<off_t>(op.m_offset))
                           : ::write(op.m_fd, op.m_buf, op.m_len);
      break;
    case io_kind::recv:
      r = ::recv(op.m_fd, op.m_buf, op.m_len, op.m_flags | MSG_DONTWAIT);
      break;
    case io_kind::send:
      r = ::send(op.m_fd, op.m_buf, op.m_len, op.m_flags | MSG_DONTWAIT | MSG_NOSIGNAL);
      break;
    case io_kind::recvmsg:
      r = ::recvmsg(op.m_fd, static_cast<msghdr*>(op.m_buf), op.m_flags | MSG_DONTWAIT);
      break;
    case io_kind::sendmsg:
      r = ::sendmsg(op.m_fd, static_cast<msghdr*>(op.m_buf), op.m_flags | MSG_DONTWAIT | MSG_NOSIGNAL);
      break;
    case io_kind::accept: {
      auto len = static_cast<socklen_t>(op.m_addrlen);
      r = ::accept4(op.m_fd, static_cast<sockaddr*>(op.m_addr), op.m_addr != nullptr ? &len : nullptr,
                    SOCK_NONBLOCK | SOCK_CLOEXEC);
      op.m_addrlen = len;
      break;
    }
    case io_kind::connect: {
      if (!op.m_started) {
        op.m_started = true;
        r = ::connect(op.m_fd, static_cast<const sockaddr*>(op.m_addr), static_cast<socklen_t>(op.m_addrlen));
        if (r < 0 && errno == EINPROGRESS) return -EAGAIN;  // wait for writability, then ask SO_ERROR
        return r < 0 ? -errno : 0;
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(op.m_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return -errno;
      return err == 0 ? 0 : -err;
    }
    case io_kind::readable:
    case io_kind::writable:
      return 0;  // only called when the cache says ready
  }
  return r < 0 ? -errno : r;
}

bool reads(io_kind k) noexcept {
  return k == io_kind::read || k == io_kind::recv || k == io_kind::recvmsg || k == io_kind::accept ||
         k == io_kind::readable;
}

}  // namespace

std::int64_t perform_io(io_op& op) noexcept {
  io_registration* reg = op.m_reg;
  const bool reading = reads(op.m_kind);
  if (reg != nullptr && !(reading ? reg->m_readable : reg->m_writable) &&
      !(op.m_kind == io_kind::connect && !op.m_started)) {
    return -EAGAIN;  // the kernel has not said it is ready since the last EAGAIN
  }
  std::int64_t r = 0;
  do {
    r = syscall_once(op);
  } while (r == -EINTR);
  if (reg != nullptr) {
    // A would-block, or a transfer shorter than asked, means the socket is drained (full): with
    // edge-triggered epoll the next event says when to try again. (EOF, 0 bytes, keeps readiness.)
    const bool transfer = op.m_kind != io_kind::accept && op.m_kind != io_kind::connect &&
                          op.m_kind != io_kind::readable && op.m_kind != io_kind::writable &&
                          op.m_kind != io_kind::recvmsg && op.m_kind != io_kind::sendmsg;
    const bool drained = r == -EAGAIN || (transfer && r > 0 && static_cast<std::size_t>(r) < op.m_len);
    // A hang-up keeps only the read side ready (EOF gets no new edge). A peer's half-close says nothing
    // about room to write: a full socket must wait for EPOLLOUT, or the flush would spin.
    if (drained && !(reading && reg->m_hangup)) (reading ? reg->m_readable : reg->m_writable) = false;
  }
  return r;
}

}  // namespace aio::detail
