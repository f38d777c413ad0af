// The client's connection pool: slots and limits, idle connections and their expiry, DNS cache,
// opening connections.

#include "session_state.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <coroutine>
#include <exception>
#include <new>
#include <system_error>

#include "aio/combinators/wait_for.hpp"
#include "aio/net/getaddrinfo.hpp"
#include "aio/net/open_connection.hpp"
#include "aio/net/socket_address.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::http::detail {

session_state::session_state(const client_session_options& o)
    : timeout(o.timeout),
      limit(o.limit),
      limit_per_host(o.limit_per_host),
      default_headers(o.headers),
      keepalive(o.keepalive_timeout),
      dns_ttl(o.dns_cache_ttl),
      raise_for_status(o.raise_for_status),
      auto_decompress(o.auto_decompress),
      max_decompress_size(o.max_decompress_size),
      max_interim(o.max_interim_responses),
      user_agent(o.user_agent) {
  if (o.ssl) ssl = *o.ssl;
  if (o.auth) auth.emplace(std::string(o.auth->login), std::string(o.auth->password));
  limits = response_limits();
  limits.max_line_size = o.max_line_size;
  limits.max_field_size = o.max_field_size;
  limits.max_headers_size = o.max_headers_size;
  jar = http::cookie_jar(o.unsafe_cookies);
}

bool session_state::loop_gone() const noexcept { return loop != nullptr && aio::detail::home_loop() != loop; }

void session_state::abandon() noexcept {
  // The transports still point at the dead loop and their destructors would call into it: close the
  // descriptors here and keep the objects, reachable, for the rest of the process.
  // Never destroyed (a static vector's destructor would free them into the dead loop at exit).
  static auto* graveyard = new (std::nothrow)
      std::vector<std::unique_ptr<client_connection>>();  // NOLINT(cppcoreguidelines-owning-memory)
  for (auto& [key, s] : hosts) {
    for (auto& c : s.idle) {
      const int fd = c->transport()->fd();
      if (fd >= 0) ::close(fd);
      try {
        if (graveyard == nullptr) throw std::bad_alloc();
        graveyard->push_back(std::move(c));
      } catch (...) {  // out of memory: leak it outright rather than free it
        (void)c.release();
      }
    }
    s.idle.clear();
  }
  cleanup_timer = timer_handle{};  // only drops our reference: the closed loop already dropped its own
  cleanup_pending = false;
  closed = true;
}

session_state::~session_state() {
  if (!loop_gone()) cleanup_timer.cancel();
}

host_slot& session_state::slot_for(const url& u) {
  std::string key;
  const std::string_view scheme = u.scheme();
  key.reserve(scheme.size() + u.host().size() + 10);
  key += (scheme == "wss" || scheme == "https") ? "https" : "http";
  key += "://";
  key += u.host();
  key += ':';
  key += std::to_string(u.port());
  return hosts[key];
}

void session_state::link(slot_waiter& w) noexcept {
  w.prev = last_waiter;
  w.next = nullptr;
  if (last_waiter != nullptr) {
    last_waiter->next = &w;
  } else {
    first_waiter = &w;
  }
  last_waiter = &w;
}

void session_state::unlink(slot_waiter& w) noexcept {
  (w.prev != nullptr ? w.prev->next : first_waiter) = w.next;
  (w.next != nullptr ? w.next->prev : last_waiter) = w.prev;
  w.prev = w.next = nullptr;
}

void session_state::wake_next() noexcept {
  for (slot_waiter* w = first_waiter; w != nullptr; w = w->next) {
    if (!w->woken && has_room(*w->slot)) {
      w->woken = true;
      w->ready.set();
      return;
    }
  }
}

coro<> session_state::acquire(host_slot& s) {
  slot_waiter w;
  w.slot = &s;
  link(w);
  // Leaving (taken, cancelled, failed): unlink, and pass a wake-up we did not use on to the next one.
  struct leave {
    session_state* st;
    slot_waiter* w;
    ~leave() {
      st->unlink(*w);
      if (w->woken) st->wake_next();
    }
  } guard{this, &w};
  for (;;) {
    co_await w.ready.wait();
    w.ready.clear();
    w.woken = false;
    if (has_room(s)) {
      take(s);
      co_return;
    }
  }
}

void session_state::give_back(host_slot& s, std::unique_ptr<client_connection> c, bool reusable) noexcept {
  --in_use;
  --s.in_use;
  if (c) {
    if (reusable && !closed && !c->transport()->is_closing()) {
      c->idle_since = c->transport()->loop().time();
      s.idle.push_back(std::move(c));
      try {
        schedule_cleanup();
      } catch (...) {  // NOLINT(bugprone-empty-catch): no timer: idle connections expire at their next use
      }
    } else if (reusable) {
      c->writer.close();
    } else {
      c->writer.abort();  // half-read or failed: whatever is in flight is garbage
    }
  }
  wake_next();
}

std::unique_ptr<client_connection> session_state::pop_idle(host_slot& s) {
  while (!s.idle.empty()) {
    std::unique_ptr<client_connection> c = std::move(s.idle.back());
    s.idle.pop_back();
    aio::detail::stream_transport* t = c->transport();
    const bool expired =
        t->loop().time() - c->idle_since >= std::chrono::duration_cast<clock::duration>(keepalive);
    if (expired || t->is_closing() || t->read_done() || !t->read_buffer().empty()) {
      c->writer.abort();
      continue;
    }
    return c;
  }
  return nullptr;
}

void session_state::schedule_cleanup() {
  if (cleanup_pending || keepalive <= std::chrono::duration<double>::zero()) return;
  cleanup_pending = true;
  cleanup_timer = get_running_loop().call_later(keepalive, [this] { on_cleanup(); });
}

void session_state::on_cleanup() {
  cleanup_pending = false;
  const auto ka = std::chrono::duration_cast<clock::duration>(keepalive);
  bool any_left = false;
  for (auto& [key, s] : hosts) {
    auto& idle = s.idle;
    for (auto it = idle.begin(); it != idle.end();) {
      if ((*it)->transport()->loop().time() - (*it)->idle_since >= ka) {
        (*it)->writer.close();
        it = idle.erase(it);
      } else {
        ++it;
      }
    }
    any_left = any_left || !idle.empty();
  }
  if (any_left) schedule_cleanup();
}

std::vector<stream_writer> session_state::close_idle() {
  std::vector<stream_writer> out;
  for (auto& [key, s] : hosts) {
    for (auto& c : s.idle) {
      c->writer.close();
      out.push_back(c->writer);
    }
    s.idle.clear();
  }
  cleanup_timer.cancel();
  cleanup_pending = false;
  return out;
}

ssl_context& session_state::tls() {
  if (!ssl) ssl = ssl_context::client();
  return *ssl;
}

namespace {
/// The addresses of `host` (numeric hosts as they are), from the cache while fresh.
coro<std::vector<std::string>> resolve(session_state& st, std::string host, std::uint16_t port) {
  if (socket_address::from_ip(host, port)) co_return std::vector<std::string>{host};
  const std::string key = host + ":" + std::to_string(port);
  const clock::time_point now = get_running_loop().time();
  if (auto it = st.dns.find(key); it != st.dns.end() && it->second.expires > now)
    co_return it->second.addresses;
  getaddrinfo_options gopts;
  gopts.type = SOCK_STREAM;
  std::vector<address_info> infos = co_await aio::getaddrinfo(host, port, gopts);
  std::vector<std::string> out;
  for (const address_info& ai : infos) {
    std::string ip = ai.address.host();
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(std::move(ip));
  }
  if (st.dns_ttl > std::chrono::duration<double>::zero()) {
    st.dns[key] = dns_entry{out, now + std::chrono::duration_cast<clock::duration>(st.dns_ttl)};
  }
  co_return out;
}

std::string origin_of(const url& u) { return std::string(u.host()) + ":" + std::to_string(u.port()); }
}  // namespace

coro<std::unique_ptr<client_connection>> session_state::open(const url& u) {
  if (loop == nullptr) loop = &get_running_loop();
  const std::string host(u.host());
  const std::uint16_t port = u.port();
  const bool secure = u.scheme() == "https" || u.scheme() == "wss";
  std::vector<std::string> addresses;
  std::exception_ptr failure;
  try {
    addresses = co_await resolve(*this, host, port);
  } catch (const std::system_error&) {
    failure = std::current_exception();
  }
  connection_options co;
  if (secure) co.ssl = tls();
  co.server_hostname = host;
  for (const std::string& ip : addresses) {
    try {
      stream_pair p = co_await open_connection(ip, port, co);
      co_return std::make_unique<client_connection>(std::move(p.first), std::move(p.second), limits);
    } catch (const std::system_error&) {
      failure = std::current_exception();
    }
  }
  if (!failure)
    throw client_connector_error(std::make_error_code(std::errc::host_unreachable),
                                 "aio.http: cannot connect to " + origin_of(u) + ": no address");
  try {
    std::rethrow_exception(failure);
  } catch (const std::system_error& e) {
    throw client_connector_error(e.code(), "aio.http: cannot connect to " + origin_of(u) + ": " + e.what());
  }
}

coro<> wait_readable(aio::detail::stream_transport* t,
                     std::optional<std::chrono::duration<double>> sock_read) {
  if (!sock_read) {
    co_await aio::detail::stream_wait_operation(t, t->read_buffer().size() + 1);
    co_return;
  }
  bool expired = false;
  try {
    co_await aio::wait_for(aio::detail::stream_wait_operation(t, t->read_buffer().size() + 1), *sock_read);
  } catch (const aio::timeout_error&) {
    expired = true;
  }
  if (expired) {
    throw client_timeout_error(timeout_kind::sock_read, "aio.http: sock_read timeout (" +
                                                            std::to_string(sock_read->count()) +
                                                            " s) expired waiting for the server");
  }
}

void throw_disconnected(aio::detail::stream_transport* t, const char* what) {
  std::string msg = std::string("aio.http: server disconnected before ") + what;
  if (t->read_error() != 0) msg += ": " + std::system_category().message(t->read_error());
  throw server_disconnected_error(msg);
}

std::string base64_encode(std::string_view in) {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += k_alphabet[(v >> 18) & 63];
    out += k_alphabet[(v >> 12) & 63];
    out += k_alphabet[(v >> 6) & 63];
    out += k_alphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += k_alphabet[(v >> 18) & 63];
    out += k_alphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? k_alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace aio::http::detail
