#pragma once
/// @file io_op.hpp
/// The unit of the backend contract: one I/O operation in flight, and the per-fd state it runs against.
///
/// Both live in memory owned by the caller (an awaiting frame, a transport), never allocated by the loop:
/// epoll links a waiting operation into its fd's `io_registration`; io_uring carries its address as the
/// submission's user data. See docs/design/io.md and src/backend/backend.hpp.

#include <cstddef>
#include <cstdint>

namespace aio::detail {

/// What an `io_op` does. Every kind is one non-blocking syscall (or one io_uring opcode).
enum class io_kind : std::uint8_t {
  read,      ///< read(2) into m_buf/m_len (pipes, files opened non-blocking); pread(2) when m_offset >= 0
  write,     ///< write(2); pwrite(2) when m_offset >= 0
  recv,      ///< recv(2), m_flags
  send,      ///< send(2) with MSG_NOSIGNAL added (a closed peer is EPIPE, never SIGPIPE)
  accept,    ///< accept4(2) non-blocking, close-on-exec; peer address into m_addr/m_addrlen
  connect,   ///< connect(2) to m_addr/m_addrlen; completes with 0 or -errno (SO_ERROR)
  recvmsg,   ///< recvmsg(2) with m_buf pointing at a msghdr
  sendmsg,   ///< sendmsg(2) with m_buf pointing at a msghdr (MSG_NOSIGNAL added)
  readable,  ///< waits until the fd is readable; completes with 0
  writable,  ///< waits until the fd is writable; completes with 0
};

struct io_registration;

/// One operation. The submitter fills the request fields and `m_complete`; the backend sets `m_result`
/// (>= 0, or -errno) and, when the operation did not finish at submission, calls `m_complete` from the
/// loop's poll step. `m_complete` must only schedule work (wake a task, re-submit), never run user code.
struct io_op {
  io_kind m_kind = io_kind::read;
  bool m_pending = false;  ///< submitted and not yet completed (owned by the backend)
  bool m_started = false;  ///< connect: the connect(2) call was made, now waiting for SO_ERROR
  /// io_uring: a readable/writable wait parked in its registration's slot, to be completed by the fd's
  /// multishot poll (it is not in the kernel: cancelling it is synchronous)
  bool m_parked = false;
  int m_fd = -1;
  io_registration* m_reg = nullptr;  ///< the fd's registration (epoll's readiness cache)
  void* m_buf = nullptr;
  std::size_t m_len = 0;
  /// read/write: the file offset (pread/pwrite), or -1 for the current position (pipes, sockets, ttys).
  /// A positional operation is on a regular file: io_uring always submits it (never a syscall in place).
  std::int64_t m_offset = -1;
  int m_flags = 0;
  void* m_addr = nullptr;       ///< sockaddr for accept/connect
  std::uint32_t m_addrlen = 0;  ///< in: capacity (accept) or length (connect); out: length (accept)
  std::int64_t m_result = 0;
  void (*m_complete)(io_op&) = nullptr;
  void* m_context = nullptr;  ///< the submitter's (a task_header*, a transport*)
  io_op* m_next = nullptr;    ///< backend-private link
};

/// Per-fd state shared by the operations on one fd (at most one reading and one writing operation at a
/// time, as asyncio's transports). Attach it to the loop before the first operation, detach it before
/// closing the fd.
struct io_registration {
  int m_fd = -1;
  io_op* m_reader = nullptr;  ///< epoll: the read-side operation waiting for readiness
  io_op* m_writer = nullptr;  ///< epoll: the write-side operation waiting for readiness
  // epoll's edge-triggered readiness cache: set by events, cleared by EAGAIN or a short transfer, so a
  // drained socket is not asked again before the kernel says it has more (no wasted EAGAIN syscall).
  bool m_readable = true;
  bool m_writable = true;
  bool m_attached = false;
  /// The kernel reported the peer's FIN, a hang-up or an error: that condition is sticky and gets no
  /// new edge, so a short read must not clear `m_readable` any more (or EOF would never be seen).
  bool m_hangup = false;
  bool m_is_socket = true;  ///< false for pipes and ttys (read/write instead of recv/send)
  /// io_uring: a multishot poll for this fd is armed (epoll's edge-triggered registration, emulated);
  /// its completions carry `m_poll_generation`, so those of an earlier registration of the fd are ignored
  bool m_polling = false;
  std::uint32_t m_poll_generation = 0;
};

}  // namespace aio::detail
