// start_tls: installs a tls_filter on a transport and waits, as the transport's reader, for the
// handshake to finish; stream_writer::start_tls (STARTTLS) on top of it.

#include "aio/tls/detail/start_tls.hpp"

#include <coroutine>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <system_error>

#include "aio/combinators/wait_for.hpp"
#include "aio/errors.hpp"
#include "aio/net/stream_writer.hpp"
#include "tls_filter.hpp"

namespace aio {

namespace detail {

namespace {

/// Parks the handshaking task as the transport's reader until the filter's state changes, plain bytes
/// arrive, or the read side ends (EOF, error, close). The transport keeps reading while it is parked
/// and feeds every byte to the filter, which wakes it when the handshake completes.
class tls_handshake_operation {
 public:
  tls_handshake_operation(stream_transport& t, const tls_filter& f) noexcept : m_t(&t), m_f(&f) {}
  tls_handshake_operation(const tls_handshake_operation&) = delete;
  tls_handshake_operation& operator=(const tls_handshake_operation&) = delete;
  ~tls_handshake_operation() { unpark(m_waiter); }

  bool await_ready() {
    // Reads in place first: a handshake whose bytes are already there never suspends.
    return !m_t->need_wait(1) || m_f->current() != tls_filter::state::handshaking;
  }
  bool await_suspend(std::coroutine_handle<> h) {
    if (cancel_before_park(m_waiter)) return false;
    current_task_header()->m_resume = h;
    m_t->park_reader(m_waiter);
    return true;
  }
  void await_resume() {
    m_t->end_read_wait();
    finish_wait(m_waiter);
  }

 private:
  stream_transport* m_t;
  const tls_filter* m_f;
  transport_waiter m_waiter;
};

coro<> run_handshake(stream_transport& t, const tls_filter& f) {
  while (f.current() == tls_filter::state::handshaking && !t.read_done()) {
    co_await tls_handshake_operation(t, f);
  }
}

/// "localhost (127.0.0.1:8443)", or the address alone.
std::string describe_peer(const stream_transport& t, const std::string& host) {
  std::string addr = t.peername().to_string();
  if (host.empty()) return addr.empty() ? std::string("the peer") : addr;
  if (addr.empty()) return host;
  const bool same = addr.rfind(host + ":", 0) == 0 || addr.rfind("[" + host + "]:", 0) == 0;
  return same ? addr : host + " (" + addr + ")";
}

void check_start_tls(const stream_transport& t, const ssl_context& ctx, const std::string& host) {
  if (!ctx.valid()) {
    throw std::invalid_argument("aio: start_tls() with an empty ssl_context (use ssl_context::client())");
  }
  if (t.filter() != nullptr) throw std::invalid_argument("aio: start_tls() on a stream that already has TLS");
  if (t.is_closing()) throw std::runtime_error("aio: start_tls() on a closed stream");
  if (!ctx.is_server() && ctx.verifies() && host.empty()) {
    throw std::invalid_argument(
        "aio: start_tls() with a verifying client context needs server_hostname (or set_verify(false))");
  }
}

}  // namespace

coro<> start_tls(stream_transport& t, ssl_context ctx, std::string server_hostname,
                 std::chrono::nanoseconds timeout) {
  check_start_tls(t, ctx, server_hostname);
  const std::string peer = describe_peer(t, server_hostname);
  auto owned = std::make_unique<tls_filter>(t, std::move(ctx), server_hostname);
  tls_filter& f = *owned;
  // Bytes read past the upgrade point (STARTTLS) are already the peer's TLS bytes.
  const std::string early = t.read_buffer().take(t.read_buffer().size());
  t.set_filter(std::move(owned));
  const std::string first_flight = f.begin(early);
  if (!first_flight.empty()) t.flush_filter_output(first_flight);

  bool timed_out = false;
  try {
    coro<> handshake = run_handshake(t, f);
    co_await wait_for(std::move(handshake), timeout);
  } catch (const timeout_error&) {
    timed_out = true;
  }
  if (timed_out) throw timeout_error("aio: TLS handshake with " + peer + " timed out");
  if (f.current() == tls_filter::state::open) co_return;

  const std::string what = "aio: TLS handshake with " + peer + " failed: ";
  if (f.current() == tls_filter::state::failed) throw std::system_error(f.failure(), what + f.reason());
  if (t.is_closing()) {
    throw std::system_error(tls_errc::closed_during_handshake, what + "the stream was closed");
  }
  if (t.read_error() != 0) {
    throw std::system_error(tls_errc::closed_during_handshake,
                            what + std::generic_category().message(t.read_error()));
  }
  throw std::system_error(tls_errc::closed_during_handshake, what + "the peer closed the connection");
}

}  // namespace detail

namespace {
coro<> upgrade(stream_writer keep, ssl_context ctx, std::string host, std::chrono::nanoseconds timeout) {
  detail::stream_transport* t = keep.transport();
  std::exception_ptr failure;
  try {
    co_await detail::start_tls(*t, std::move(ctx), std::move(host), timeout);
  } catch (...) {
    failure = std::current_exception();  // also cancelled_error: the half-upgraded stream is unusable
  }
  if (failure) {
    t->close();  // as asyncio: a failed upgrade closes the transport (queued alerts still go out)
    std::rethrow_exception(failure);
  }
}
}  // namespace

coro<> stream_writer::start_tls(ssl_context ctx, start_tls_options opts) {
  if (m_t == nullptr) throw std::invalid_argument("aio: start_tls() on an empty stream_writer");
  std::string host(opts.server_hostname);  // the view may not outlive this call: copy it now
  detail::check_start_tls(*m_t, ctx, host);
  return upgrade(*this, std::move(ctx), std::move(host),
                 std::chrono::duration_cast<std::chrono::nanoseconds>(opts.ssl_handshake_timeout));
}

}  // namespace aio
