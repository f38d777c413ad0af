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
// Operations in flight (read, write, accept...) join the contract with the I/O issue, in completion
// form: submit an operation, receive its result; epoll emulates that on top of readiness.

#include <chrono>
#include <memory>

#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

class io_sink {
 public:
  io_sink() = default;
  io_sink(const io_sink&) = delete;
  io_sink& operator=(const io_sink&) = delete;
  virtual ~io_sink() = default;
  virtual void on_ready(int fd, bool readable, bool writable) = 0;
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
};

/// The backend for `kind` (`automatic`: the best available; today epoll).
std::unique_ptr<backend> make_backend(backend_kind kind);

}  // namespace aio::detail
