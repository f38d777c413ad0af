#pragma once
// The backend contract: the only interface between the portable loop and the operating system
// (libuv's src/unix/internal.h, mio's sys/mod.rs). Platform headers appear only under src/backend/.
//
// Contract:
// - `set_interest(fd, read, write)` declares which readiness the loop wants for `fd`; (false, false)
//   forgets the fd. Interest is level-triggered: an fd stays reported while it is ready.
// - `poll(timeout, sink)` waits at most `timeout` (negative: no limit) for readiness or a `wake()`, and
//   reports each ready fd to `sink.on_ready`. It never runs user code and never throws for a signal
//   interruption (EINTR counts as a wake-up).
// - `wake()` may be called from any thread and from a signal handler (it is one write(2)).
// - Errors are returned as std::system_error only for misuse or resource exhaustion at set-up.
//
// Operations (completion-shaped; include/aio/io/detail/io_op.hpp):
// - `attach(reg)` before the first operation on an fd, `detach(reg)` before closing it (no operation
//   may be pending then).
// - `try_now(op)` attempts the operation without waiting and without registering anything: true means
//   `op.m_result` holds the outcome; false means it would block (nothing to undo).
// - `submit(op)` starts the operation: true means it completed at once (`m_result` set, no completion
//   will follow); false means it is pending and `sink.on_complete(op)` will report it from a later
//   `poll` (epoll performs the syscall when the fd becomes ready; io_uring reaps the CQE).
// - `cancel(op)` on a pending operation: true means it was withdrawn at once (no completion will
//   follow); false means the kernel still owns the buffer and a completion (-ECANCELED, or the real
//   result if it won the race) will follow. The op's memory must stay valid until then.
// - `abandon(op)` is for a destructor that cannot wait for that completion: it cancels and blocks until
//   the kernel has let go of the op and its buffer; no completion follows. (epoll: the same as cancel.)
// - `detach(reg)` with an operation still pending on the fd withdraws it: its completion (-ECANCELED)
//   is reported by the next `poll`, and nothing refers to `reg` once detach returns.
// Backends never throw from these for an I/O error: errors are `-errno` in `m_result`.

#include <chrono>
#include <memory>
#include <string>

#include "aio/io/detail/io_op.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

class io_sink {
 public:
  io_sink() = default;
  io_sink(const io_sink&) = delete;
  io_sink& operator=(const io_sink&) = delete;
  virtual ~io_sink() = default;
  virtual void on_ready(int fd, bool readable, bool writable) = 0;
  /// `op` (submitted earlier) has its result.
  virtual void on_complete(io_op& op) = 0;
};

class backend {
 public:
  backend() = default;
  backend(const backend&) = delete;
  backend& operator=(const backend&) = delete;
  virtual ~backend() = default;
  [[nodiscard]] virtual const char* name() const noexcept = 0;
  virtual void set_interest(int fd, bool read, bool write) = 0;
  virtual void poll(std::chrono::nanoseconds timeout, io_sink& sink) = 0;
  virtual void wake() noexcept = 0;
  /// The fd that `wake()` writes to (for the signal handler, which may not call virtual functions
  /// of an object being destroyed; it writes this fd directly).
  [[nodiscard]] virtual int wake_fd() const noexcept = 0;

  virtual void attach(io_registration& reg) = 0;
  virtual void detach(io_registration& reg) noexcept = 0;
  virtual bool try_now(io_op& op) noexcept = 0;
  virtual bool submit(io_op& op) = 0;
  virtual bool cancel(io_op& op) noexcept = 0;
  virtual void abandon(io_op& op) noexcept {
    [[maybe_unused]] const bool withdrawn = cancel(op);  // a backend whose cancel can be late overrides
  }
  /// True when operations on regular files go through the kernel asynchronously (io_uring); false when
  /// they must be moved to a thread (epoll: regular files are always "ready").
  [[nodiscard]] virtual bool async_files() const noexcept { return false; }
};

/// Runs `op`'s syscall once, without blocking (shared by the backends' fast paths). Returns the result:
/// >= 0, or -errno (-EAGAIN: would block). Updates the registration's readiness cache.
std::int64_t perform_io(io_op& op) noexcept;

/// The backend for `kind`. `automatic` honours AIO_BACKEND=epoll|io_uring, else picks io_uring when the
/// kernel allows it and epoll otherwise; in debug mode it says which on stderr
/// (src/backend/make_backend.cpp).
std::unique_ptr<backend> make_backend(backend_kind kind, bool debug = false);
std::unique_ptr<backend> make_epoll_backend();
std::unique_ptr<backend> make_io_uring_backend();
/// Why io_uring cannot be used in this process (probed once), or an empty string when it can.
const std::string& io_uring_unavailable();

}  // namespace aio::detail
