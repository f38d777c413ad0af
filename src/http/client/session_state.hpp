#pragma once
/// @file session_state.hpp
/// The shared state behind `client_session`: configuration, the connection pool, the cookie jar and
/// the DNS cache (private to src/http/client).
///
/// Ownership: the session holds one reference; every in-flight request and every response holding a
/// connection holds another (an intrusive, non-atomic count: one loop). A connection is owned by
/// exactly one place at a time: a host slot's idle list, or a `lease` (a request or a response body).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../compression.hpp"
#include "../parser.hpp"
#include "aio/http/body_error.hpp"
#include "aio/http/client/client_session.hpp"
#include "aio/http/client/cookie_jar.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/runtime/timer_handle.hpp"
#include "aio/sync/event.hpp"
#include "aio/time/clock.hpp"

namespace aio::http::detail {

/// One pooled HTTP/1.1 connection. Heap-allocated (the parser is not movable).
struct client_connection {
  client_connection(stream_reader r, stream_writer w, parser_limits limits)
      : reader(std::move(r)), writer(std::move(w)), parser(limits) {}
  stream_reader reader;
  stream_writer writer;
  response_parser parser;
  std::string wbuf;  // the request head, reused from request to request
  clock::time_point idle_since{};
  std::uint32_t requests = 0;  // requests sent on it (>0 before the send: a reused connection)
  [[nodiscard]] aio::detail::stream_transport* transport() const noexcept { return reader.transport(); }
};

/// The connections of one (scheme, host, port).
struct host_slot {
  std::vector<std::unique_ptr<client_connection>> idle;  // most recently used last
  std::size_t in_use = 0;
};

/// A request waiting for the pool's limits to let it have a connection.
struct slot_waiter {
  host_slot* slot = nullptr;
  aio::event ready;
  bool woken = false;
  slot_waiter* prev = nullptr;
  slot_waiter* next = nullptr;
};

struct dns_entry {
  std::vector<std::string> addresses;
  clock::time_point expires{};
};

struct session_state {
  explicit session_state(const client_session_options& o);
  session_state(const session_state&) = delete;
  session_state& operator=(const session_state&) = delete;
  ~session_state();

  void add_ref() noexcept { ++refs; }
  void release() noexcept {
    if (--refs == 0) delete this;
  }

  // ---- configuration (copied from the options) ----
  client_timeout timeout;
  std::size_t limit;
  std::size_t limit_per_host;
  http::headers default_headers;
  std::optional<std::pair<std::string, std::string>> auth;
  std::optional<ssl_context> ssl;
  std::chrono::duration<double> keepalive;
  std::chrono::duration<double> dns_ttl;
  bool raise_for_status;
  bool auto_decompress;
  std::size_t max_decompress_size;  // 0: no limit
  std::size_t max_interim;
  std::string user_agent;
  parser_limits limits;

  // ---- state ----
  std::uint32_t refs = 1;
  bool closed = false;
  std::unordered_map<std::string, host_slot> hosts;
  std::size_t in_use = 0;
  slot_waiter* first_waiter = nullptr;
  slot_waiter* last_waiter = nullptr;
  http::cookie_jar jar;
  std::unordered_map<std::string, dns_entry> dns;
  timer_handle cleanup_timer;
  bool cleanup_pending = false;
  event_loop* loop = nullptr;  // the loop of the first connection (a session serves one loop)

  /// True when the session's loop was closed: it is no longer this thread's home loop. (Nothing may
  /// then call into it: not even closing a socket or cancelling a timer.)
  [[nodiscard]] bool loop_gone() const noexcept;
  /// After `loop_gone()`: drops the pool without touching the loop (see client_session's Lifetime).
  void abandon() noexcept;

  /// The slot of a URL's origin (ws/wss share http/https's).
  host_slot& slot_for(const url& u);
  [[nodiscard]] bool has_room(const host_slot& s) const noexcept {
    return (limit == 0 || in_use < limit) && (limit_per_host == 0 || s.in_use < limit_per_host);
  }
  void take(host_slot& s) noexcept {
    ++in_use;
    ++s.in_use;
  }
  /// Waits until the limits allow one more connection for `s`, then takes it.
  coro<> acquire(host_slot& s);
  /// Ends a lease: pools a reusable connection, closes any other, and wakes a waiter.
  void give_back(host_slot& s, std::unique_ptr<client_connection> c, bool reusable) noexcept;
  /// The most recently used live idle connection of `s`, or null.
  std::unique_ptr<client_connection> pop_idle(host_slot& s);
  /// Opens a new connection to the URL's origin (DNS cache, TLS).
  coro<std::unique_ptr<client_connection>> open(const url& u);
  /// The TLS context for https/wss.
  ssl_context& tls();
  /// Closes every idle connection; returns their writers so the caller can wait for them.
  std::vector<stream_writer> close_idle();

  void link(slot_waiter& w) noexcept;
  void unlink(slot_waiter& w) noexcept;
  void wake_next() noexcept;
  void schedule_cleanup();
  void on_cleanup();
};

/// A held pool slot and, once there is one, its connection. Ending it gives both back.
class lease {
 public:
  lease() = default;
  lease(session_state* s, host_slot* slot) noexcept : m_state(s), m_slot(slot) { s->add_ref(); }
  lease(lease&& o) noexcept
      : conn(std::move(o.conn)), m_state(std::exchange(o.m_state, nullptr)), m_slot(o.m_slot) {}
  lease& operator=(lease&&) = delete;
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;
  ~lease() { end(false); }

  /// Gives the slot back, pooling the connection if `reusable` (else closing it).
  void end(bool reusable) noexcept {
    if (m_state == nullptr) return;
    session_state* s = std::exchange(m_state, nullptr);
    s->give_back(*m_slot, std::move(conn), reusable);
    s->release();
  }
  [[nodiscard]] bool active() const noexcept { return m_state != nullptr; }
  [[nodiscard]] session_state* state() const noexcept { return m_state; }

  std::unique_ptr<client_connection> conn;

 private:
  session_state* m_state = nullptr;
  host_slot* m_slot = nullptr;
};

/// A counted reference to the session state (kept by every request coroutine).
class state_ref {
 public:
  explicit state_ref(session_state* s) noexcept : m_state(s) { s->add_ref(); }
  state_ref(state_ref&& o) noexcept : m_state(std::exchange(o.m_state, nullptr)) {}
  state_ref(const state_ref&) = delete;
  state_ref& operator=(const state_ref&) = delete;
  state_ref& operator=(state_ref&&) = delete;
  ~state_ref() {
    if (m_state != nullptr) m_state->release();
  }
  session_state* operator->() const noexcept { return m_state; }
  session_state& operator*() const noexcept { return *m_state; }

 private:
  session_state* m_state;
};

/// Decoded bytes a response holds ahead of its reader: one decoding step (gzip/deflate) stops after
/// this much output, so one small compressed chunk never makes a large allocation at once.
inline constexpr std::size_t k_decode_piece = std::size_t{256} * 1024;

/// Waits for more bytes on `t` (at most `sock_read` when set). Like every read, it completes in place
/// while the task step's cooperative budget lasts (include/aio/detail/coop_budget.hpp), so a server
/// that keeps the socket full cannot keep timers, cancellation and other tasks from running.
coro<> wait_readable(aio::detail::stream_transport* t,
                     std::optional<std::chrono::duration<double>> sock_read);

/// Throws the right error for a connection that has nothing more to give (EOF or a read error) while
/// `what` was expected ("the response head", "the end of the body").
[[noreturn]] void throw_disconnected(aio::detail::stream_transport* t, const char* what);

/// Base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view in);

/// The body state of a response: its lease, the decoder, and decoded bytes not yet handed out.
struct response_body {
  explicit response_body(detail::lease l) noexcept : lease(std::move(l)) {}
  detail::lease lease;
  std::optional<decompressor> decoder;
  std::string pending;
  std::size_t pending_off = 0;
  bool complete = false;     // the message ended (the connection was given back)
  bool broken = false;       // a failure or a cancellation: the connection was closed
  bool keep_alive = true;    // the head allows reusing the connection
  bool fed_decoder = false;  // an empty body with a Content-Encoding (HEAD, some 3xx) is not an error
  clock::time_point deadline = clock::time_point::max();
  std::optional<std::chrono::duration<double>> sock_read;
  std::optional<std::chrono::duration<double>> total;

  [[nodiscard]] std::size_t available() const noexcept { return pending.size() - pending_off; }
  /// Takes up to `n` decoded bytes.
  std::string take(std::size_t n);
  /// Parses what the connection has buffered, without I/O; stops once a decoding step held input
  /// back (k_decode_piece decoded bytes are waiting).
  void pump();
  /// Decodes `in` (and what the decoder held back) into `pending`, up to k_decode_piece waiting.
  /// False when the decoder held input back. Throws client_payload_error (and aborts).
  bool decode(std::string_view in);
  /// Waits until some decoded bytes are available or the body ended (no deadline).
  coro<> fill();
  /// `fill()` under the total deadline.
  coro<> fill_timed();
  /// Reads everything left into `out` (no deadline).
  coro<> read_all(std::string& out);
  /// The message ended: checks the decoder, gives the connection back.
  void finish(bool reusable);
  /// Closes the connection after a failure.
  void abort() noexcept;
};

}  // namespace aio::http::detail
