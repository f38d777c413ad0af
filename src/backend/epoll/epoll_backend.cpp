// The epoll backend: an eventfd for cross-thread and signal wake-ups; level-triggered interest for
// add_reader/add_writer; edge-triggered registrations for operations, emulating completions on
// readiness (the syscall runs here, in poll, when the kernel says the fd is ready).
//
// epoll_data carries either `fd << 1` (a level-triggered watch, or the wake-up eventfd) or the address
// of an io_registration with its low bit set (registrations are at least 4-byte aligned).

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "../backend.hpp"

namespace aio::detail {

namespace {

class epoll_backend final : public backend {
 public:
  epoll_backend()
      : m_epfd(::epoll_create1(EPOLL_CLOEXEC)), m_wakefd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (m_epfd < 0 || m_wakefd < 0) {
      const int err = errno;
      close_fds();
      throw std::system_error(err, std::generic_category(), "aio: cannot create the epoll backend");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<std::uint64_t>(m_wakefd) << 1U;
    if (::epoll_ctl(m_epfd, EPOLL_CTL_ADD, m_wakefd, &ev) != 0) {
      const int err = errno;
      close_fds();
      throw std::system_error(err, std::generic_category(), "aio: cannot watch the wake-up eventfd");
    }
  }
  epoll_backend(const epoll_backend&) = delete;
  epoll_backend& operator=(const epoll_backend&) = delete;
  ~epoll_backend() override { close_fds(); }

  [[nodiscard]] const char* name() const noexcept override { return "epoll"; }

  void set_interest(int fd, bool read, bool write) override {
    epoll_event ev{};
    ev.events = (read ? EPOLLIN : 0U) | (write ? EPOLLOUT : 0U);
    ev.data.u64 = static_cast<std::uint64_t>(fd) << 1U;
    if (!read && !write) {
      ::epoll_ctl(m_epfd, EPOLL_CTL_DEL, fd, nullptr);  // ENOENT/EBADF: already gone, which is the goal
      return;
    }
    if (::epoll_ctl(m_epfd, EPOLL_CTL_MOD, fd, &ev) == 0) return;
    if (errno == ENOENT && ::epoll_ctl(m_epfd, EPOLL_CTL_ADD, fd, &ev) == 0) return;
    throw std::system_error(errno, std::generic_category(), "aio: epoll_ctl on fd " + std::to_string(fd));
  }

  void poll(std::chrono::nanoseconds timeout, io_sink& sink) override {
    if (!m_withdrawn.empty()) {
      timeout = std::chrono::nanoseconds{0};
      std::vector<io_op*> withdrawn;
      withdrawn.swap(m_withdrawn);
      for (io_op* op : withdrawn) {
        op->m_pending = false;
        sink.on_complete(*op);
      }
    }
    constexpr int k_max_events = 256;
    epoll_event events[k_max_events];
    int n = 0;
    if (timeout.count() < 0) {
      n = ::epoll_wait(m_epfd, events, k_max_events, -1);
    } else {
      n = wait_for(events, k_max_events, timeout);
    }
    if (n < 0) return;  // EINTR: a signal arrived; the loop looks at pending signals next
    for (int i = 0; i < n; ++i) {
      const std::uint64_t data = events[i].data.u64;
      if ((data & 1U) != 0) {
        // NOLINTNEXTLINE(performance-no-int-to-ptr): the registration's address, tagged in attach()
        on_registration_ready(*reinterpret_cast<io_registration*>(data & ~std::uint64_t{1}), events[i].events,
                              sink);
        continue;
      }
      const int fd = static_cast<int>(data >> 1U);
      if (fd == m_wakefd) {
        std::uint64_t drained = 0;
        while (::read(m_wakefd, &drained, sizeof drained) > 0) {
        }
        continue;
      }
      const std::uint32_t e = events[i].events;
      // Errors and hang-ups wake both directions, as libuv does: the callback discovers them on its call.
      const bool err = (e & (EPOLLERR | EPOLLHUP)) != 0;
      sink.on_ready(fd, err || (e & EPOLLIN) != 0, err || (e & EPOLLOUT) != 0);
    }
  }

  /// epoll_pwait2 for its nanosecond timeout; epoll_wait, rounded up to milliseconds, where the kernel
  /// (before 5.11), a seccomp filter or valgrind does not know it (ENOSYS).
  int wait_for(epoll_event* events, int max, std::chrono::nanoseconds timeout) {
    if (m_has_pwait2) {
      timespec ts{};
      ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
      const int n = ::epoll_pwait2(m_epfd, events, max, &ts, nullptr);
      if (n >= 0 || errno != ENOSYS) return n;
      m_has_pwait2 = false;
    }
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
    return ::epoll_wait(m_epfd, events, max, static_cast<int>(std::min<std::int64_t>(ms, INT_MAX)));
  }

  void wake() noexcept override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto r = ::write(m_wakefd, &one, sizeof one);  // EAGAIN: already pending
  }
  [[nodiscard]] int wake_fd() const noexcept override { return m_wakefd; }

  void attach(io_registration& reg) override {
    epoll_event ev{};
    // Registered once, for both directions, edge-triggered: no epoll_ctl per operation (Tokio/mio's way).
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = reinterpret_cast<std::uintptr_t>(&reg) | 1U;
    if (::epoll_ctl(m_epfd, EPOLL_CTL_ADD, reg.m_fd, &ev) != 0) {
      throw std::system_error(errno, std::generic_category(),
                              "aio: cannot watch fd " + std::to_string(reg.m_fd) + " with epoll");
    }
    reg.m_attached = true;
  }

  void detach(io_registration& reg) noexcept override {
    if (!reg.m_attached) return;
    // An operation still waiting on the fd is withdrawn: the next poll reports -ECANCELED.
    for (io_op* op : {reg.m_reader, reg.m_writer}) {
      if (op == nullptr) continue;
      op->m_result = -ECANCELED;
      m_withdrawn.push_back(op);
    }
    reg.m_reader = reg.m_writer = nullptr;
    ::epoll_ctl(m_epfd, EPOLL_CTL_DEL, reg.m_fd, nullptr);
    reg.m_attached = false;
  }

  bool try_now(io_op& op) noexcept override {
    op.m_result = perform_io(op);
    return op.m_result != -EAGAIN;
  }

  bool submit(io_op& op) override {
    io_registration& reg = *op.m_reg;
    io_op*& slot = waits_for_read(op.m_kind) ? reg.m_reader : reg.m_writer;
    if (slot != nullptr) {
      throw std::logic_error("aio: another operation is already waiting on fd " + std::to_string(reg.m_fd) +
                             " in the same direction");
    }
    // The readiness cache may have been refreshed by an event since the caller's try: try once more.
    if (try_now(op)) return true;
    slot = &op;
    op.m_pending = true;
    return false;
  }

  bool cancel(io_op& op) noexcept override {
    if (!op.m_pending) return true;
    std::erase(m_withdrawn, &op);
    io_registration& reg = *op.m_reg;
    if (reg.m_reader == &op) reg.m_reader = nullptr;
    if (reg.m_writer == &op) reg.m_writer = nullptr;
    op.m_pending = false;
    return true;
  }

 private:
  static bool waits_for_read(io_kind k) noexcept {
    return k == io_kind::read || k == io_kind::recv || k == io_kind::recvmsg || k == io_kind::accept ||
           k == io_kind::readable;
  }

  static void on_registration_ready(io_registration& reg, std::uint32_t events, io_sink& sink) {
    // Errors and hang-ups make both directions "ready": the syscall then reports what happened.
    const bool err = (events & (EPOLLERR | EPOLLHUP)) != 0;
    if (err || (events & EPOLLRDHUP) != 0) reg.m_hangup = true;
    if (err || (events & (EPOLLIN | EPOLLRDHUP)) != 0) {
      reg.m_readable = true;
      run_waiting(reg.m_reader, sink);
    }
    if (err || (events & EPOLLOUT) != 0) {
      reg.m_writable = true;
      run_waiting(reg.m_writer, sink);
    }
  }

  static void run_waiting(io_op*& slot, io_sink& sink) {
    io_op* op = slot;
    if (op == nullptr) return;
    const std::int64_t r = perform_io(*op);
    if (r == -EAGAIN) return;  // spurious: keep waiting for the next edge
    slot = nullptr;
    op->m_pending = false;
    op->m_result = r;
    sink.on_complete(*op);
  }

  void close_fds() noexcept {
    if (m_wakefd >= 0) ::close(m_wakefd);
    if (m_epfd >= 0) ::close(m_epfd);
  }
  int m_epfd;
  int m_wakefd;
  bool m_has_pwait2 = true;         // cleared by the first ENOSYS (see wait_for)
  std::vector<io_op*> m_withdrawn;  // detached while waiting: completed (-ECANCELED) by the next poll
};

}  // namespace

std::unique_ptr<backend> make_epoll_backend() { return std::make_unique<epoll_backend>(); }

}  // namespace aio::detail
