// The client side of the `aio ps` socket: checks that the process exists and may be asked, connects,
// sends one request and reads the reply to end of stream, under one deadline.

#include "ps_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>

#include "../../src/debug/ps_protocol.hpp"

namespace aio_cli {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

int ms_left(steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for `events` on `fd` until the deadline: false on timeout.
bool wait_for(int fd, short events, steady_clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, ms_left(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return true;  // let the next call report the error
  }
}

}  // namespace

query_result query_tasks(pid_t pid, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  if (::kill(pid, 0) != 0) {
    if (errno == ESRCH) return {query_result::no_process, "no such process"};
    if (errno == EPERM) return {query_result::other_user, "the process belongs to another user"};
    return {query_result::failed, std::strerror(errno)};
  }
  fd_guard sock{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (sock.fd < 0) return {query_result::failed, std::string("socket: ") + std::strerror(errno)};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string name = aio::detail::ps::socket_name(pid);
  std::memcpy(addr.sun_path, name.data(), name.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  if (::connect(sock.fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    if (errno == ECONNREFUSED || errno == ENOENT) {
      return {query_result::not_aio, "no aio-ps socket"};
    }
    if (errno != EAGAIN && errno != EINPROGRESS) {
      return {query_result::failed, std::string("connect: ") + std::strerror(errno)};
    }
    if (!wait_for(sock.fd, POLLOUT, deadline)) return {query_result::timed_out, "no answer"};
  }
  const std::string_view request = aio::detail::ps::k_request;
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(sock.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(sock.fd, POLLOUT, deadline)) return {query_result::timed_out, "no answer"};
    } else {
      // The agent closed at once: it refused us before reading (read its reason below).
      break;
    }
  }
  std::string reply;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n > 0) {
      reply.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    // The end of the reply; a reset after a refusal (the agent closed without reading) ends it too.
    if (n == 0 || (errno == ECONNRESET && !reply.empty())) break;
    if (errno != EAGAIN && errno != EINTR) {
      return {query_result::failed, std::string("recv: ") + std::strerror(errno)};
    }
    if (!wait_for(sock.fd, POLLIN, deadline)) return {query_result::timed_out, "no answer"};
  }
  if (reply.rfind("refused\t", 0) == 0) {
    const std::vector<std::string> f = aio::detail::ps::split_fields(reply.substr(0, reply.find('\n')));
    return {query_result::refused, f.size() > 1 ? f[1] : "refused"};
  }
  return {query_result::ok, std::move(reply)};
}

}  // namespace aio_cli
