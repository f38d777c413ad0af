#pragma once
/// @file stream_reader.hpp
/// `aio::stream_reader`: the read half of a stream (asyncio's StreamReader); bytes are std::string.

#include <coroutine>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "aio/net/detail/stream_transport.hpp"
#include "aio/task/coro.hpp"

namespace aio {

namespace detail {
/// The awaiter behind `read(n)` and `readexactly(n)`: no coroutine frame, and no suspension when the
/// bytes are already buffered or the socket has them (while the step's cooperative budget lasts).
class stream_read_operation {
 public:
  enum class mode : unsigned char { some, all, exactly };
  stream_read_operation(stream_transport* t, std::size_t n, mode m) noexcept : m_t(t), m_n(n), m_mode(m) {}
  stream_read_operation(stream_read_operation&& o) noexcept : m_t(o.m_t), m_n(o.m_n), m_mode(o.m_mode) {}
  stream_read_operation& operator=(stream_read_operation&&) = delete;
  ~stream_read_operation() { unpark(m_waiter); }
  bool await_ready();
  bool await_suspend(std::coroutine_handle<> h);
  std::string await_resume();

 private:
  [[nodiscard]] std::size_t wanted() const noexcept;

  stream_transport* m_t;
  std::size_t m_n;
  mode m_mode;
  transport_waiter m_waiter;
};

/// Waits until at least `wanted` bytes are buffered, EOF or an error (for the reader's coroutines).
class stream_wait_operation {
 public:
  stream_wait_operation(stream_transport* t, std::size_t wanted) noexcept : m_t(t), m_wanted(wanted) {}
  stream_wait_operation(stream_wait_operation&& o) noexcept : m_t(o.m_t), m_wanted(o.m_wanted) {}
  stream_wait_operation& operator=(stream_wait_operation&&) = delete;
  ~stream_wait_operation() { unpark(m_waiter); }
  bool await_ready();
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();

 private:
  stream_transport* m_t;
  std::size_t m_wanted;
  transport_waiter m_waiter;
};
}  // namespace detail

/// The read half of a connection. A handle: copies share the connection; the connection closes when
/// the last reader and writer handle is gone. One task at a time may wait on it.
///
/// @par Cancellation
/// Every read is cancel-safe: a cancelled read consumes nothing; bytes that arrived stay buffered for
/// the next read.
/// @par Errors
/// A failed connection (reset, TLS failure) throws `std::system_error` with the errno and the peer's
/// address once the buffered bytes are consumed.
/// @par Thread safety
/// Loop thread only.
class stream_reader {
 public:
  stream_reader() = default;
  explicit stream_reader(detail::stream_transport* t) noexcept : m_t(t) {
    if (m_t != nullptr) m_t->add_handle();
  }
  stream_reader(const stream_reader& o) noexcept : stream_reader(o.m_t) {}
  stream_reader(stream_reader&& o) noexcept : m_t(o.m_t) { o.m_t = nullptr; }
  stream_reader& operator=(stream_reader o) noexcept {
    std::swap(m_t, o.m_t);
    return *this;
  }
  ~stream_reader() {
    if (m_t != nullptr) m_t->release_handle();
  }

  /// Up to `n` bytes, as soon as any are available; `n < 0` reads until EOF. "" at EOF.
  [[nodiscard]] detail::stream_read_operation read(std::ptrdiff_t n = -1);
  /// Exactly `n` bytes. @par Errors `aio::incomplete_read_error` (with the partial bytes) on EOF first.
  [[nodiscard]] detail::stream_read_operation readexactly(std::size_t n);
  /// One line, "\n" included; at EOF the partial last line (or ""). @par Errors
  /// `aio::limit_overrun_error` when a line exceeds the limit (the line is discarded, as asyncio).
  coro<std::string> readline();
  /// Bytes up to and including `separator`. @par Errors `aio::incomplete_read_error` on EOF first;
  /// `aio::limit_overrun_error` past the limit (the bytes stay buffered).
  coro<std::string> readuntil(std::string separator = "\n");
  /// As `readuntil`, with several separators: the match that ends first wins.
  coro<std::string> readuntil(std::vector<std::string> separators);
  /// True when EOF was seen and the buffer is empty.
  [[nodiscard]] bool at_eof() const noexcept { return m_t->saw_eof() && m_t->read_buffer().empty(); }
  /// Bytes buffered and not yet read.
  [[nodiscard]] std::size_t buffered() const noexcept { return m_t->read_buffer().size(); }
  /// The buffer limit for readline/readuntil (default 64 KiB).
  [[nodiscard]] std::size_t limit() const noexcept { return m_t->limit(); }
  void set_limit(std::size_t n) noexcept { m_t->set_limit(n); }
  [[nodiscard]] bool valid() const noexcept { return m_t != nullptr; }
  [[nodiscard]] detail::stream_transport* transport() const noexcept { return m_t; }

 private:
  detail::stream_transport* m_t = nullptr;
};

}  // namespace aio
