// stream_writer::sendfile: a file range to a stream with sendfile(2), or with pread + write when the
// kernel cannot do it (TLS, pipes, files sendfile cannot read). Design: docs/design/io.md, "sendfile".
//
// The native path runs in the calling task: wait until the writer's queue is flushed, claim the fd's
// write side from the transport (so that writes made meanwhile queue behind the file), then loop
// sendfile(2) on the non-blocking socket, waiting for writability on EAGAIN with an `io_operation`
// (epoll: the edge-triggered wait; io_uring: a POLL_ADD), and yielding to the loop after each full
// chunk so that one fast transfer cannot starve the other tasks.

#include <pthread.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "aio/io/detail/io_operation.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/time/sleep.hpp"

namespace aio {

namespace detail {

// ---- the transport's sendfile block ----------------------------------------------------------------

void stream_transport::sendfile_check_open() const {
  if (m_closing) throw std::runtime_error("aio: sendfile() on a closed stream");
  if (m_eof_requested) throw std::runtime_error("aio: sendfile() after write_eof()");
}

bool stream_transport::sendfile_must_wait() const noexcept {
  // write_buffer_size(), not m_wbuf: it also counts bytes of a send in flight, however the transport
  // sends them.
  return m_write_error == 0 && !m_closed && (write_buffer_size() != 0 || m_write_pending);
}

void stream_transport::sendfile_claim() noexcept {
  // The reference is the one a pending flush holds: finish_close() (abort) drops it with the claim.
  m_write_pending = true;
  add_ref();
}

void stream_transport::sendfile_release() noexcept {
  if (!m_write_pending) return;  // abort() withdrew the claim and its reference
  m_write_pending = false;
  try {
    start_flush();  // what write() queued meanwhile; then write_eof() / close() proceed
  } catch (...) {
    fail_writes(ENOMEM);  // only submitting a wait can throw (allocation, a full io_uring queue)
  }
  release();
}

void stream_transport::sendfile_fail(int err) noexcept { fail_writes(err); }

namespace {

constexpr std::size_t k_native_chunk = std::size_t{1} << 20;       // per sendfile(2) call, then yield
constexpr std::size_t k_fallback_piece = std::size_t{256} * 1024;  // per pread(2)

/// sendfile(2) without SIGPIPE: a socket has MSG_NOSIGNAL, sendfile has no such flag, and aio does not
/// change the process's SIGPIPE disposition. So SIGPIPE is blocked in this thread for the call, and a
/// SIGPIPE the call raised (EPIPE) is taken from the thread's pending set before the old mask returns.
/// Returns the byte count or -errno.
std::int64_t sendfile_nosignal(int out_fd, int in_fd, std::uint64_t offset, std::size_t n) noexcept {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  auto off = static_cast<off_t>(offset);
  ssize_t r = 0;
  do {
    r = ::sendfile(out_fd, in_fd, &off, n);
  } while (r < 0 && errno == EINTR);
  const int err = r < 0 ? errno : 0;
  if (err == EPIPE && sigismember(&old, SIGPIPE) == 0) {
    // Was not blocked before, so it can only be ours (a signal already pending would have been
    // delivered). Dropping it here is what MSG_NOSIGNAL would have done.
    const timespec zero{};
    while (::sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return r < 0 ? -err : r;
}

/// Holds the transport (a reference) and its write-side claim for the native path.
class write_side_claim {
 public:
  explicit write_side_claim(stream_transport* t) noexcept : m_t(t) { m_t->sendfile_claim(); }
  write_side_claim(const write_side_claim&) = delete;
  write_side_claim& operator=(const write_side_claim&) = delete;
  ~write_side_claim() { m_t->sendfile_release(); }

 private:
  stream_transport* m_t;
};

[[noreturn]] void throw_aborted(const stream_transport& t) {
  throw std::system_error(
      ECONNABORTED, std::generic_category(),
      "aio: sendfile to " + t.peername().to_string() + " stopped: the stream was aborted");
}

[[noreturn]] void throw_file_error(int err) {
  throw std::system_error(err, std::generic_category(), "aio: sendfile: cannot read the file");
}

/// Waits until nothing queued earlier is unsent; throws the stream's write error.
coro<> wait_flushed(stream_writer& w) {
  stream_transport* t = w.transport();
  while (t->sendfile_must_wait()) {
    co_await stream_writer_wait_operation(t, stream_writer_wait_operation::what::flushed);
  }
  t->throw_write_error();
  if (t->is_closed()) throw_aborted(*t);
}

/// What the native loop ended with.
struct native_outcome {
  std::uint64_t sent = 0;
  bool unsupported = false;  // sendfile(2) refused this file before sending anything: fall back
};

/// Waits until the socket is writable again (its buffer full: the caller saw EAGAIN or a short
/// transfer). The readiness cache is cleared first, even after the peer's FIN (m_hangup, which is about
/// the read side): a full socket still gets an EPOLLOUT edge when it drains, and a kept flag would make
/// the wait complete at once, again and again.
coro<> wait_writable(stream_transport* t) {
  io_registration& reg = t->registration();
  reg.m_writable = false;
  io_operation wait(t->loop(), reg, io_kind::writable);
  const std::int64_t ready = co_await wait;
  if (ready == -ECANCELED) throw_aborted(*t);  // abort() detached the fd under the wait
  if (ready < 0) {
    t->sendfile_fail(static_cast<int>(-ready));
    t->throw_write_error();
  }
}

coro<native_outcome> send_native(stream_writer& w, int fd, std::uint64_t offset, std::uint64_t count) {
  stream_transport* t = w.transport();
  native_outcome out;
  const write_side_claim claim(t);
  while (out.sent < count) {
    if (t->is_closed()) throw_aborted(*t);
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(count - out.sent, k_native_chunk));
    const std::int64_t r = sendfile_nosignal(t->fd(), fd, offset + out.sent, want);
    if (r > 0) {
      out.sent += static_cast<std::uint64_t>(r);
      t->sendfile_sent(static_cast<std::uint64_t>(r));
      // A short transfer means a full socket buffer or the end of the file (which may have shrunk
      // since it was measured): only the next call tells which (EAGAIN or 0), so no wait is taken
      // on a guess. A full chunk: let the other tasks run before the next.
      if (static_cast<std::size_t>(r) == want && out.sent < count)
        co_await aio::sleep(std::chrono::seconds(0));
      continue;
    }
    if (r == 0) break;  // the file ended before `count`
    if (r == -EAGAIN) {
      co_await wait_writable(t);
      continue;
    }
    if ((r == -EINVAL || r == -ENOSYS) && out.sent == 0) {
      out.unsupported = true;  // e.g. a file system without splice support
      break;
    }
    if (r == -EIO || r == -EBADF || r == -EOVERFLOW || r == -ESPIPE || r == -EINVAL || r == -ENOSYS) {
      throw_file_error(static_cast<int>(-r));
    }
    t->sendfile_fail(static_cast<int>(-r));  // EPIPE, ECONNRESET, ...: the stream is broken
    t->throw_write_error();
  }
  co_return out;
}

coro<std::uint64_t> send_fallback(stream_writer& w, int fd, std::uint64_t offset, std::uint64_t count) {
  stream_transport* t = w.transport();
  std::string piece;
  std::uint64_t sent = 0;
  while (sent < count) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(count - sent, k_fallback_piece));
    piece.resize(want);
    ssize_t n = 0;
    do {
      n = ::pread(fd, piece.data(), want, static_cast<off_t>(offset + sent));
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw_file_error(errno);
    if (n == 0) break;
    if (t->is_closing()) throw_aborted(*t);
    w.write(std::string_view(piece.data(), static_cast<std::size_t>(n)));
    sent += static_cast<std::uint64_t>(n);
    co_await w.drain();
    co_await aio::sleep(std::chrono::seconds(0));  // a fast peer never makes drain() wait: yield
  }
  co_await wait_flushed(w);  // as the native path: done means handed to the kernel
  co_return sent;
}

coro<std::uint64_t> sendfile_to_stream(stream_writer w, int fd, std::uint64_t offset,
                                       std::optional<std::uint64_t> count) {
  stream_transport* t = w.transport();
  if (t == nullptr) throw std::invalid_argument("aio: sendfile() on an empty stream_writer");
  t->sendfile_check_open();
  std::uint64_t total = UINT64_MAX;
  if (count) {
    total = *count;
  } else {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_file_error(errno);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    total = size > offset ? size - offset : 0;
  }
  co_await wait_flushed(w);
  if (total == 0) co_return 0;
  if (t->filter() == nullptr && t->is_socket()) {
    const native_outcome n = co_await send_native(w, fd, offset, total);
    if (!n.unsupported) co_return n.sent;
  }
  co_return co_await send_fallback(w, fd, offset, total);
}

}  // namespace

}  // namespace detail

coro<std::uint64_t> stream_writer::sendfile(int fd, std::uint64_t offset,
                                            std::optional<std::uint64_t> count) {
  // A copy of the handle: the transport outlives the operation even if this writer object does not.
  return detail::sendfile_to_stream(*this, fd, offset, count);
}

}  // namespace aio
