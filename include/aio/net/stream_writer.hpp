#pragma once
/// @file stream_writer.hpp
/// `aio::stream_writer`: the write half of a stream (asyncio's StreamWriter).

#include <any>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "aio/net/detail/stream_transport.hpp"
#include "aio/net/socket_address.hpp"
#include "aio/task/coro.hpp"
#include "aio/tls/ssl_context.hpp"

namespace aio {

namespace detail {
/// The awaiter of `drain()` and `wait_closed()`, and of sendfile's wait for the queued bytes (`flushed`:
/// woken at the low-water mark like drain, the caller re-checks until nothing is queued).
class stream_writer_wait_operation {
 public:
  enum class what : unsigned char { drain, closed, flushed };
  stream_writer_wait_operation(stream_transport* t, what w) noexcept : m_t(t), m_what(w) {}
  stream_writer_wait_operation(stream_writer_wait_operation&& o) noexcept : m_t(o.m_t), m_what(o.m_what) {}
  stream_writer_wait_operation& operator=(stream_writer_wait_operation&&) = delete;
  ~stream_writer_wait_operation() { unpark(m_waiter); }
  bool await_ready();
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();

 private:
  stream_transport* m_t;
  what m_what;
  transport_waiter m_waiter;
};
}  // namespace detail

/// Options of `stream_writer::start_tls` (asyncio's keyword arguments).
struct start_tls_options {
  /// Client: the name sent as SNI and checked against the certificate (required when the context
  /// verifies). A view (see `connection_options::server_hostname`); copied at the call.
  std::string_view server_hostname;
  std::chrono::duration<double> ssl_handshake_timeout = std::chrono::seconds(60);
};

/// The write half of a connection. A handle: copies share the connection; the connection closes
/// (after flushing) when the last reader and writer handle is gone.
///
/// `write()` never blocks and never fails: it sends at once when it can and buffers the rest, which
/// the loop keeps sending. `drain()` is the flow control: it waits while more than the high-water mark
/// (64 KiB) is buffered, until the buffer falls to the low-water mark, and reports a failed connection.
/// @par Cancellation
/// A cancelled `drain()` or `wait_closed()` loses nothing: buffered bytes keep being sent.
/// @par Errors
/// `drain()` throws `std::system_error` (EPIPE, ECONNRESET, ...) naming the peer once a write failed;
/// writing to a closed peer never raises SIGPIPE. `write()` after `close()` throws `std::runtime_error`.
/// @par Thread safety
/// Loop thread only.
class stream_writer {
 public:
  stream_writer() = default;
  explicit stream_writer(detail::stream_transport* t) noexcept : m_t(t) {
    if (m_t != nullptr) m_t->add_handle();
  }
  stream_writer(const stream_writer& o) noexcept : stream_writer(o.m_t) {}
  stream_writer(stream_writer&& o) noexcept : m_t(o.m_t) { o.m_t = nullptr; }
  stream_writer& operator=(stream_writer o) noexcept {
    std::swap(m_t, o.m_t);
    return *this;
  }
  ~stream_writer() {
    if (m_t != nullptr) m_t->release_handle();
  }

  void write(std::string_view data) { m_t->write(data); }
  template <class Range>
  void writelines(const Range& lines) {
    for (const auto& l : lines) write(std::string_view(l));
  }
  [[nodiscard]] detail::stream_writer_wait_operation drain() noexcept {
    return {m_t, detail::stream_writer_wait_operation::what::drain};
  }
  /// Sends `count` bytes of the file `fd` starting at `offset` (nullopt: to the end of the file), after
  /// the bytes already queued (asyncio's `loop.sendfile(transport, file, offset, count)`); returns the
  /// number of bytes sent, less than `count` only when the file ended first. It returns once the bytes
  /// are handed to the kernel. `fd` stays the caller's, and its file position is neither used nor
  /// moved (asyncio seeks the file object; aio reads at `offset`).
  ///
  /// A plain TCP or Unix stream uses sendfile(2): the kernel copies from the page cache to the socket,
  /// waiting for writability between calls. A TLS stream, a pipe, or a file sendfile(2) cannot read
  /// (EINVAL, ENOSYS) falls back to pread(2) pieces written with `write()` + `drain()` (asyncio's
  /// fallback). `write()` calls made meanwhile are queued and sent after the file's bytes.
  /// @par Cancellation
  /// Not cancel-safe, like `sock_sendall`: a cancelled sendfile stops between two system calls; the
  /// peer got a prefix of the range of unreported length. The stream stays usable (later writes follow
  /// that prefix), but a protocol that announced the length must close it.
  /// @par Errors
  /// `std::system_error` as `drain()` (EPIPE, ECONNRESET naming the peer, never SIGPIPE) when the
  /// peer went away, also recorded so that later `drain()`s report it; ECONNABORTED when this stream
  /// was aborted meanwhile; the errno of a failed read of `fd` (EBADF, EIO, ...).
  /// `std::runtime_error` after `close()` or `write_eof()`, as `write()`.
  [[nodiscard]] coro<std::uint64_t> sendfile(int fd, std::uint64_t offset = 0,
                                             std::optional<std::uint64_t> count = std::nullopt);
  /// Half-close: sends FIN after the buffered bytes; reading continues. Not supported on TLS streams.
  void write_eof() { m_t->write_eof(); }
  [[nodiscard]] bool can_write_eof() const noexcept { return m_t->can_write_eof(); }
  /// Closes after sending what is buffered.
  void close() { m_t->close(); }
  /// Closes now, dropping what is buffered.
  void abort() { m_t->abort(); }
  [[nodiscard]] bool is_closing() const noexcept { return m_t->is_closing(); }
  [[nodiscard]] detail::stream_writer_wait_operation wait_closed() noexcept {
    return {m_t, detail::stream_writer_wait_operation::what::closed};
  }
  /// Bytes buffered and not yet sent.
  [[nodiscard]] std::size_t write_buffer_size() const noexcept { return m_t->write_buffer_size(); }
  /// The flow-control marks (asyncio's transport.set_write_buffer_limits); low defaults to high / 4.
  void set_write_buffer_limits(std::size_t high, std::size_t low) noexcept {
    m_t->set_write_buffer_limits(high, low);
  }
  void set_write_buffer_limits(std::size_t high) noexcept { m_t->set_write_buffer_limits(high, high / 4); }

  /// Upgrades this open plain stream to TLS (STARTTLS): runs the handshake as a client or a server
  /// (by `ctx`); afterwards this writer and its reader carry TLS. Bytes already buffered by the reader
  /// are taken as the peer's first TLS bytes.
  /// @par Cancellation
  /// A cancelled or failed upgrade closes the stream.
  /// @par Errors
  /// As `open_connection` with `ssl`: `std::system_error` in `aio::tls_category()`, `aio::timeout_error`;
  /// `std::invalid_argument` for a stream that already has TLS, or a verifying client context without
  /// `server_hostname`.
  [[nodiscard]] coro<> start_tls(ssl_context ctx, start_tls_options opts = {});

  /// asyncio's names: "peername", "sockname" (`aio::socket_address`), "socket" (`int` fd),
  /// "ssl_object" (`void*`: OpenSSL's SSL*, TLS streams only). TLS streams also answer (`std::string`):
  /// "alpn_protocol" ("" when none), "server_hostname" (the SNI name sent, or received by a server;
  /// "" when none), "tls_version" ("TLSv1.3"), "cipher". An empty `std::any` for other names.
  [[nodiscard]] std::any get_extra_info(std::string_view name) const;
  [[nodiscard]] socket_address peername() const { return m_t->peername(); }
  [[nodiscard]] socket_address sockname() const { return m_t->sockname(); }
  [[nodiscard]] bool valid() const noexcept { return m_t != nullptr; }
  [[nodiscard]] detail::stream_transport* transport() const noexcept { return m_t; }

 private:
  detail::stream_transport* m_t = nullptr;
};

}  // namespace aio
