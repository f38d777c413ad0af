// The epoll backend: level-triggered readiness, an eventfd for cross-thread and signal wake-ups.

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

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
    ev.data.fd = m_wakefd;
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
    ev.data.fd = fd;
    if (!read && !write) {
      ::epoll_ctl(m_epfd, EPOLL_CTL_DEL, fd, nullptr);  // ENOENT/EBADF: already gone, which is the goal
      return;
    }
    if (::epoll_ctl(m_epfd, EPOLL_CTL_MOD, fd, &ev) == 0) return;
    if (errno == ENOENT && ::epoll_ctl(m_epfd, EPOLL_CTL_ADD, fd, &ev) == 0) return;
    throw std::system_error(errno, std::generic_category(), "aio: epoll_ctl on fd " + std::to_string(fd));
  }

  void poll(std::chrono::nanoseconds timeout, io_sink& sink) override {
    constexpr int k_max_events = 256;
    epoll_event events[k_max_events];
    int n = 0;
    if (timeout.count() < 0) {
      n = ::epoll_wait(m_epfd, events, k_max_events, -1);
    } else {
      timespec ts{};
      ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
      n = ::epoll_pwait2(m_epfd, events, k_max_events, &ts, nullptr);
    }
    if (n < 0) return;  // EINTR: a signal arrived; the loop looks at pending signals next
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
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

  void wake() noexcept override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto r = ::write(m_wakefd, &one, sizeof one);  // EAGAIN: already pending
  }
  [[nodiscard]] int wake_fd() const noexcept override { return m_wakefd; }

 private:
  void close_fds() noexcept {
    if (m_wakefd >= 0) ::close(m_wakefd);
    if (m_epfd >= 0) ::close(m_epfd);
  }
  int m_epfd;
  int m_wakefd;
};

}  // namespace

std::unique_ptr<backend> make_epoll_backend() { return std::make_unique<epoll_backend>(); }

std::unique_ptr<backend> make_backend(backend_kind kind) {
  // io_uring joins with the I/O issue; asking for it by name must not silently give epoll.
  if (kind == backend_kind::io_uring) {
    throw std::runtime_error("aio: the io_uring backend is not available in this build; use backend::epoll");
  }
  return make_epoll_backend();
}

}  // namespace aio::detail
