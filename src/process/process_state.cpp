// The exit watch and the reap (see process_state.hpp for the design).

#include "process_state.hpp"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>

#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

process_state::process_state(event_loop& loop, int pid, int pidfd) noexcept
    : m_loop(&loop), m_pid(pid), m_pidfd(pidfd) {
  m_reg.m_fd = pidfd;
  m_reg.m_is_socket = false;
}

process_state::~process_state() {
  // Not watching here: a pending watch holds a reference. A child still running is killed and reaped
  // now (asyncio's transport kills its child when closed); SIGKILL cannot be caught, so the blocking
  // waitid returns as soon as the kernel has torn the child down.
  if (!m_returncode && m_pidfd >= 0 && !reap_now()) {
    ::syscall(SYS_pidfd_send_signal, m_pidfd, SIGKILL, nullptr, 0U);
    siginfo_t si{};
    while (::waitid(P_PIDFD, static_cast<id_t>(m_pidfd), &si, WEXITED) < 0 && errno == EINTR) {
    }
  }
  close_pidfd();
}

bool process_state::reap_now() noexcept {
  if (m_returncode) return true;
  if (m_pidfd < 0) return false;
  siginfo_t si{};
  int r = 0;
  do {
    r = ::waitid(P_PIDFD, static_cast<id_t>(m_pidfd), &si, WEXITED | WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    // ECHILD: someone else reaped it (a waitpid(-1) elsewhere in the program). The status is lost;
    // asyncio reports 255 in that case too.
    m_returncode = 255;
    return true;
  }
  if (si.si_pid == 0) return false;  // still running
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-union-access): siginfo_t is the kernel's union
  const int status = si.si_status;
  m_returncode = si.si_code == CLD_EXITED ? status : -status;
  return true;
}

bool process_state::poll() noexcept {
  if (m_returncode) return true;
  if (!reap_now()) return false;
  finish();
  return true;
}

void process_state::watch() {
  if (m_watching || m_returncode) return;
  m_watch_error = 0;
  m_reg = io_registration{};
  m_reg.m_fd = m_pidfd;
  m_reg.m_is_socket = false;
  loop_access::attach_io(*m_loop, m_reg);
  arm();
  if (m_watch_error != 0) {
    throw std::system_error(m_watch_error, std::generic_category(),
                            "aio: cannot watch process " + std::to_string(m_pid));
  }
}

void process_state::arm() {
  for (;;) {
    // The registration's readiness cache starts optimistic (and stays set after a spurious wake-up):
    // the child has not exited, so wait for the kernel's edge. A child that exited before the pidfd
    // was attached is reported at once by the first poll (epoll checks readiness when an fd is added).
    m_reg.m_readable = false;
    m_op = io_op{};
    m_op.m_kind = io_kind::readable;
    m_op.m_fd = m_pidfd;
    m_op.m_reg = &m_reg;
    m_op.m_complete = &on_ready;
    m_op.m_context = this;
    if (!loop_access::submit_io(*m_loop, m_op)) {
      m_watching = true;
      add_ref();
      m_loop->begin_external();  // virtual time follows the wall while a task waits for the child
      return;
    }
    if (m_op.m_result < 0) {
      m_watch_error = static_cast<int>(-m_op.m_result);
      loop_access::detach_io(*m_loop, m_reg);
      return;
    }
    if (reap_now()) {
      finish();
      return;
    }
  }
}

void process_state::on_ready(io_op& op) noexcept {
  auto* self = static_cast<process_state*>(op.m_context);
  self->m_watching = false;
  // This runs inside the loop's poll, before the loop adds the time it spent polling to virtual time:
  // end the external work on the next turn, or the child's run time would be lost (a wait_for timeout
  // could then fire early). to_thread's completion ends its count from a callback for the same reason.
  event_loop* loop = self->m_loop;
  try {
    loop->call_soon([loop] { loop->end_external(); });
  } catch (...) {
    loop->end_external();  // allocation failed: lose the poll's time rather than the count
  }
  if (self->m_returncode || self->reap_now()) {
    self->finish();
  } else if (op.m_result < 0 && op.m_result != -ECANCELED) {
    self->m_watch_error = static_cast<int>(-op.m_result);
    loop_access::detach_io(*self->m_loop, self->m_reg);
    self->m_waiters.wake_all();
  } else if (self->m_waiters.empty()) {
    loop_access::detach_io(*self->m_loop,
                           self->m_reg);  // a cancelled watch that the kernel acknowledged late
  } else {
    try {
      self->arm();  // spurious readiness: wait again
    } catch (...) {
      self->m_watch_error = ENOMEM;  // only allocation (io_uring's submission queue) can throw here
      loop_access::detach_io(*self->m_loop, self->m_reg);
    }
    if (self->m_watch_error != 0) self->m_waiters.wake_all();
  }
  self->release();
}

void process_state::stop_watching() noexcept {
  if (!m_watching) return;
  if (!loop_access::cancel_io(*m_loop, m_op)) return;  // the kernel still owns it: on_ready finishes the job
  m_watching = false;
  m_loop->end_external();
  loop_access::detach_io(*m_loop, m_reg);
  --m_refs;  // the watch's reference; the caller holds another, so this never frees
}

void process_state::unwatch() noexcept { stop_watching(); }

void process_state::finish() noexcept {
  stop_watching();
  if (!m_watching) close_pidfd();
  m_waiters.wake_all();
}

void process_state::close_pidfd() noexcept {
  if (m_reg.m_attached) loop_access::detach_io(*m_loop, m_reg);
  if (m_pidfd >= 0) {
    ::close(m_pidfd);
    m_pidfd = -1;
  }
}

void process_state::send_signal(int sig) {
  if (poll() || m_pidfd < 0) return;  // exited: nothing to signal (Python's Popen.send_signal)
  if (::syscall(SYS_pidfd_send_signal, m_pidfd, sig, nullptr, 0U) != 0 && errno != ESRCH) {
    throw std::system_error(
        errno, std::generic_category(),
        "aio: cannot send signal " + std::to_string(sig) + " to process " + std::to_string(m_pid));
  }
}

}  // namespace aio::detail
