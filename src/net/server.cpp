// aio::server: listening sockets, one accept task per socket, one task per connection.

#include "aio/net/server.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "aio/errors.hpp"
#include "aio/io/detail/io_operation.hpp"
#include "aio/net/getaddrinfo.hpp"
#include "aio/net/open_connection.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/sync/event.hpp"
#include "aio/task/task.hpp"
#include "aio/time/sleep.hpp"
#include "aio/tls/detail/start_tls.hpp"
#include "connect.hpp"
#include "socket_setup.hpp"

namespace aio {

struct server::state {
  struct listener {
    detail::io_registration reg;
    socket_address address;
    task<> accepting;
  };
  event_loop* loop = nullptr;
  client_connected_cb cb;
  server_options opts;
  std::vector<std::unique_ptr<listener>> listeners;
  std::string unix_path;  // removed on close
  bool serving = false;
  bool closed = false;
  bool emfile_reported = false;
  detail::connection_list connections;  // open connections (each leaves when its fd closes)
  std::size_t handlers = 0;             // connection tasks not finished
  std::size_t acceptors = 0;            // accept tasks not finished
  event closed_event;                   // close() ran
  event idle_event;                     // closed and every handler finished

  void check_idle() {
    if (closed && handlers == 0 && acceptors == 0) idle_event.set();
  }
};

namespace {

using state = server::state;

/// Runs the user's callback for one connection; reports its failure and closes the connection.
/// Counts a live task of the server until the task's frame goes (wait_closed waits for every one).
/// A coroutine parameter, not a local: a task cancelled before its first step never runs its body, but
/// its parameters are still destroyed. It owns a reference to the state: the order in which a
/// coroutine's parameter copies are destroyed is the compiler's (g++ destroys the `shared_ptr` parameter
/// first), and a server dropped without close() leaves these tasks to aio::run's final cancellation.
class live_token {
 public:
  live_token(std::shared_ptr<state> s, std::size_t& n) noexcept : m_s(std::move(s)), m_n(&n) { ++*m_n; }
  live_token(live_token&& o) noexcept : m_s(std::move(o.m_s)), m_n(o.m_n) {}
  live_token(const live_token&) = delete;
  live_token& operator=(const live_token&) = delete;
  live_token& operator=(live_token&&) = delete;
  ~live_token() {
    if (m_s == nullptr) return;
    --*m_n;
    m_s->check_idle();
  }

 private:
  std::shared_ptr<state> m_s;
  std::size_t* m_n;
};

coro<> run_client(std::shared_ptr<state> s, detail::transport_ptr t, live_token /*count*/) {
  std::exception_ptr failure;
  bool in_handshake = false;
  try {
    if (s->opts.ssl) {
      in_handshake = true;  // NOLINT(clang-analyzer-deadcode.DeadStores): read after a throwing co_await
      co_await detail::start_tls(
          *t, *s->opts.ssl, {},
          std::chrono::duration_cast<std::chrono::nanoseconds>(s->opts.ssl_handshake_timeout));
      in_handshake = false;
    }
    auto [reader, writer] = detail::make_pair_from(std::move(t), s->opts.limit);
    co_await s->cb(std::move(reader), std::move(writer));
  } catch (const std::exception&) {
    failure = std::current_exception();
  }
  // As asyncio: a client's failed TLS handshake (a scanner, a client that rejects our certificate) is
  // the client's problem and reported in debug mode only.
  if (failure && in_handshake && s->loop->get_debug()) {
    s->loop->call_exception_handler({"TLS handshake with a client failed", failure, {}});
  } else if (failure && !in_handshake) {
    s->loop->call_exception_handler(
        {"unhandled exception in a start_server connection callback", failure, {}});
  }
}

void start_connection(const std::shared_ptr<state>& s, int fd, bool tcp) {
  detail::transport_ptr t(new detail::stream_transport(*s->loop, fd, true));
  if (tcp) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  s->connections.push_front(*t);
  s->loop->create_task(run_client(s, std::move(t), live_token(s, s->handlers)));
}

coro<> accept_loop(std::shared_ptr<state> s, state::listener* l, live_token /*count*/) {
  const bool tcp = l->address.family() != AF_UNIX;
  for (;;) {
    detail::io_operation op(*s->loop, l->reg, detail::io_kind::accept);
    const std::int64_t r = co_await op;
    if (s->closed) {
      if (r >= 0) ::close(static_cast<int>(r));
      co_return;
    }
    if (r >= 0) {
      s->emfile_reported = false;
      start_connection(s, static_cast<int>(r), tcp);
      continue;
    }
    const int err = static_cast<int>(-r);
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
      // Out of descriptors: say so once, then retry after a pause (never a busy loop); connections
      // already accepted keep being served, and accepting resumes when descriptors free up.
      if (!s->emfile_reported) {
        s->emfile_reported = true;
        s->loop->call_exception_handler(
            {"accept() on " + l->address.to_string() + " failed: " + std::strerror(err) +
                 "; retrying every " +
                 std::to_string(
                     std::chrono::duration_cast<std::chrono::milliseconds>(s->opts.accept_retry_delay)
                         .count()) +
                 " ms",
             {},
             {}});
      }
      co_await sleep(s->opts.accept_retry_delay);
      continue;
    }
    if (err == ECONNABORTED || err == EPROTO || err == EPERM || err == EINTR || err == EAGAIN) continue;
    s->loop->call_exception_handler(
        {"accept() on " + l->address.to_string() + " failed: " + std::strerror(err), {}, {}});
    co_await sleep(s->opts.accept_retry_delay);
  }
}

void listen_on(state& s, const socket_address& addr) {
  const int fd = detail::open_socket(addr.family(), SOCK_STREAM, addr.to_string());
  auto l = std::make_unique<state::listener>();
  l->reg.m_fd = fd;
  try {
    if (addr.family() != AF_UNIX) {
      if (s.opts.reuse_address) detail::set_socket_option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
      if (s.opts.reuse_port) detail::set_socket_option(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
      if (addr.family() == AF_INET6)
        detail::set_socket_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
    }
    if (::bind(fd, static_cast<const sockaddr*>(addr.data()), addr.size()) != 0) {
      detail::throw_socket_error(errno, "cannot listen on", addr);
    }
    if (::listen(fd, s.opts.backlog) != 0) detail::throw_socket_error(errno, "cannot listen on", addr);
    auto len = static_cast<socklen_t>(socket_address::capacity());
    if (::getsockname(fd, static_cast<sockaddr*>(l->address.data()), &len) == 0) l->address.resize(len);
    if (addr.family() == AF_UNIX) l->address = addr;
    detail::loop_access::attach_io(*s.loop, l->reg);
  } catch (...) {
    ::close(fd);
    throw;
  }
  s.listeners.push_back(std::move(l));
}

void close_listeners(state& s) noexcept {
  for (auto& l : s.listeners) {
    if (l->accepting) {
      l->accepting.cancel();    // withdraws its accept operation before the fd goes
      l->accepting = task<>{};  // the loop keeps the task until it ends; it holds the state until then
    }
    detail::loop_access::detach_io(*s.loop, l->reg);
    if (l->reg.m_fd >= 0) ::close(l->reg.m_fd);
    l->reg.m_fd = -1;
  }
  if (!s.unix_path.empty()) ::unlink(s.unix_path.c_str());
}

coro<server> make_server(client_connected_cb cb, std::vector<socket_address> addrs, server_options opts,
                         std::string unix_path) {
  auto s = std::make_shared<state>();
  s->loop = &get_running_loop();
  s->cb = std::move(cb);
  s->opts = std::move(opts);
  std::uint16_t chosen = 0;
  try {
    for (socket_address& a : addrs) {
      if (a.family() != AF_UNIX && a.port() == 0 && chosen != 0)
        a = *socket_address::from_ip(a.host(), chosen);
      listen_on(*s, a);
      if (chosen == 0) chosen = s->listeners.back()->address.port();
    }
  } catch (...) {
    close_listeners(*s);
    throw;
  }
  s->unix_path = std::move(unix_path);
  server srv(s);
  if (s->opts.start_serving) srv.start_serving();
  co_return srv;
}

}  // namespace

server& server::operator=(server&& o) noexcept {
  if (this != &o) {
    close();
    m_state = std::move(o.m_state);
  }
  return *this;
}

server::~server() { close(); }

std::uint16_t server::port() const {
  if (!m_state || m_state->listeners.empty()) return 0;
  return m_state->listeners.front()->address.port();
}

std::vector<socket_address> server::sockets() const {
  std::vector<socket_address> out;
  if (m_state && !m_state->closed) {
    for (const auto& l : m_state->listeners) out.push_back(l->address);
  }
  return out;
}

bool server::is_serving() const noexcept { return m_state && m_state->serving && !m_state->closed; }

void server::start_serving() {
  if (!m_state || m_state->serving || m_state->closed) return;
  m_state->serving = true;
  for (auto& l : m_state->listeners) {
    l->accepting =
        m_state->loop->create_task(accept_loop(m_state, l.get(), live_token(m_state, m_state->acceptors)),
                                   "aio server accept " + l->address.to_string());
  }
}

void server::close() {
  if (!m_state || m_state->closed) return;
  m_state->closed = true;
  m_state->serving = false;
  close_listeners(*m_state);
  m_state->closed_event.set();
  m_state->check_idle();
}

void server::close_clients() {
  if (!m_state) return;
  // close() takes the connection off the list only once the fd is closed.
  for (detail::stream_transport* t = m_state->connections.front(); t != nullptr;) {
    detail::stream_transport* next = t->next_connection();
    t->close();
    t = next;
  }
}

void server::abort_clients() {
  if (!m_state) return;
  while (m_state->connections.front() != nullptr) m_state->connections.front()->abort();
}

coro<> server::serve_forever() {
  std::shared_ptr<state> s = m_state;
  if (!s) throw std::runtime_error("aio: serve_forever() on an empty server");
  if (s->closed) throw std::runtime_error("aio: serve_forever() on a closed server");
  start_serving();
  bool cancelled = false;
  try {
    co_await s->closed_event.wait();
  } catch (const cancelled_error&) {
    cancelled = true;
  }
  if (cancelled) {
    close();
    throw cancelled_error();
  }
}

coro<> server::wait_closed() {
  std::shared_ptr<state> s = m_state;
  if (!s) co_return;
  co_await s->idle_event.wait();
}

std::size_t server::connection_count() const noexcept { return m_state ? m_state->connections.size() : 0; }

namespace {
// Plain functions forward to these coroutines (defaulted options and g++ 12: docs/design/compilers.md).
coro<server> start_server_impl(client_connected_cb cb, std::vector<std::string> hosts, std::uint16_t port,
                               server_options opts) {
  std::vector<socket_address> addrs;
  for (const std::string& h : hosts) {
    std::vector<address_info> infos =
        co_await getaddrinfo(h, port, {.type = SOCK_STREAM, .flags = AI_PASSIVE | AI_ADDRCONFIG});
    for (auto& ai : infos) {
      bool seen = false;
      for (auto& a : addrs) seen = seen || a == ai.address;
      if (!seen) addrs.push_back(ai.address);
    }
  }
  co_return co_await make_server(std::move(cb), std::move(addrs), std::move(opts), {});
}

void remove_stale_socket(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

coro<server> start_unix_server_impl(client_connected_cb cb, std::string path, server_options opts) {
  remove_stale_socket(path);
  std::vector<socket_address> addrs(1);  // not braced: g++ 12, docs/design/compilers.md (bug 2)
  addrs[0] = socket_address::unix_path(path);
  co_return co_await make_server(std::move(cb), std::move(addrs), std::move(opts), path);
}

}  // namespace

coro<server> start_server(client_connected_cb cb, std::vector<std::string> hosts, std::uint16_t port,
                          server_options opts) {
  return start_server_impl(std::move(cb), std::move(hosts), port, std::move(opts));
}

coro<server> start_server(client_connected_cb cb, std::string host, std::uint16_t port, server_options opts) {
  std::vector<std::string> hosts;
  hosts.push_back(std::move(host));
  return start_server_impl(std::move(cb), std::move(hosts), port, std::move(opts));
}

coro<server> start_unix_server(client_connected_cb cb, std::string path, server_options opts) {
  return start_unix_server_impl(std::move(cb), std::move(path), std::move(opts));
}

}  // namespace aio
