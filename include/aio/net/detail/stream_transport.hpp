#pragma once
/// @file stream_transport.hpp
/// The connection under a `stream_reader`/`stream_writer` pair (asyncio's transport + protocol).
///
/// Design (docs/design/io.md, "Streams"):
/// - One heap object per connection, shared by the reader, the writer and pending operations through an
///   intrusive count (the loop is single-threaded: no atomics).
/// - Reading is lazy and pull-driven: bytes are read from the fd only when a reader wants more than the
///   buffer holds. A reader with nothing buffered first tries the syscall in place; only when the fd
///   is drained does it park, on a buffer-less `readable` operation, so an idle connection holds no
///   read buffer (10,000 idle connections cost a few hundred bytes each).
/// - Writing is push-driven: `write()` sends at once when nothing is queued; the rest is buffered and a
///   write operation keeps flushing it from completion callbacks, with no task involved. `drain()`
///   parks while the buffer is above the high-water mark until it falls to the low-water mark.
/// - A filter (`stream_filter`, TLS) may sit between the fd and the buffers.
/// - Waiters (reader, drain, wait_closed) are wait nodes in the awaiting frames.

#include <any>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aio/detail/task_header.hpp"
#include "aio/io/detail/byte_buffer.hpp"
#include "aio/io/detail/io_op.hpp"
#include "aio/net/socket_address.hpp"

namespace aio {
class event_loop;
namespace detail {

class stream_transport;
class connection_list;

/// A byte transformer between the fd and the stream buffers (TLS). All calls happen on the loop.
class stream_filter {
 public:
  stream_filter() = default;
  stream_filter(const stream_filter&) = delete;
  stream_filter& operator=(const stream_filter&) = delete;
  virtual ~stream_filter() = default;
  /// Bytes arrived from the fd: append what they decode to into `plain`, and anything the protocol must
  /// send back (handshake, alerts) into `out`. Returns 0, or an errno-like code to fail the read side.
  virtual int on_received(std::string_view wire, byte_buffer& plain, byte_buffer& out) = 0;
  /// The peer closed the wire: returns 0 for a clean end, else an error code (truncation).
  virtual int on_wire_eof() = 0;
  /// Application bytes to send: append their encoding to `out`.
  virtual void encode(std::string_view plain, byte_buffer& out) = 0;
  /// The stream is shutting its write side: append the closing message (close_notify) to `out`.
  virtual void encode_close(byte_buffer& out) = 0;
  /// For get_extra_info("ssl_object"): the native handle, or nullptr.
  [[nodiscard]] virtual void* native_handle() noexcept { return nullptr; }
  /// For the other get_extra_info() names the filter knows ("alpn_protocol", ...); empty otherwise.
  [[nodiscard]] virtual std::any extra_info(std::string_view /*name*/) const { return {}; }
  /// The peer ended its stream inside the protocol (TLS close_notify): the read side is at EOF.
  [[nodiscard]] virtual bool peer_closed() const noexcept { return false; }
  /// A message naming the last failure (for exceptions).
  [[nodiscard]] virtual std::string last_error() const { return {}; }
};

/// A task parked on a transport condition. `m_woken` tells the awaiter it was woken by the transport.
struct transport_waiter : suspension, wait_node {
  task_header* m_task = nullptr;
  wait_list* m_list = nullptr;
  bool m_withdrawn = false;
};

class stream_transport {
 public:
  static constexpr std::size_t k_default_limit = std::size_t{64} * 1024;  // asyncio's _DEFAULT_LIMIT
  static constexpr std::size_t k_default_high_water = std::size_t{64} * 1024;

  /// Takes ownership of a connected non-blocking `fd`; the reference count starts at 1 (the creator's,
  /// released with `release()` once handles hold it).
  stream_transport(event_loop& loop, int fd, bool is_socket);
  stream_transport(const stream_transport&) = delete;
  stream_transport& operator=(const stream_transport&) = delete;

  /// References: handles (reader, writer) and pending operations. The object is freed at zero.
  void add_ref() noexcept { ++m_refs; }
  void release() noexcept;
  /// A user-facing handle: when the last one goes, the stream closes (flushing what is queued).
  void add_handle() noexcept {
    ++m_handles;
    add_ref();
  }
  void release_handle() noexcept;

  [[nodiscard]] event_loop& loop() const noexcept { return *m_loop; }
  [[nodiscard]] int fd() const noexcept { return m_reg.m_fd; }
  [[nodiscard]] bool is_socket() const noexcept { return m_reg.m_is_socket; }
  /// The fd's registration, for operations run on it directly (connect, TLS handshake reads).
  [[nodiscard]] io_registration& registration() noexcept { return m_reg; }

  // ---- reading ----------------------------------------------------------------------------------
  /// Bytes received (decoded, under a filter) and not yet read: readers and parsers take from the front.
  [[nodiscard]] byte_buffer& read_buffer() noexcept { return m_rbuf; }
  [[nodiscard]] const byte_buffer& read_buffer() const noexcept { return m_rbuf; }
  /// The most a readline/readuntil may buffer looking for its separator (stream_reader's limit).
  [[nodiscard]] std::size_t limit() const noexcept { return m_limit; }
  void set_limit(std::size_t n) noexcept { m_limit = n; }
  /// The peer finished sending, or our side closed: no byte will be added to the read buffer.
  [[nodiscard]] bool saw_eof() const noexcept { return m_eof; }
  /// The errno of a failed read, else 0 (readers report it once the buffer is empty).
  [[nodiscard]] int read_error() const noexcept { return m_read_error; }
  /// EOF or a read error: what is buffered is all a reader will get, so waiting is pointless.
  [[nodiscard]] bool read_done() const noexcept { return m_eof || m_read_error != 0; }
  /// True when a reader needing `wanted` buffered bytes must wait (no EOF, no error). Reads in place
  /// first, so a ready socket never parks the task. Remembers `wanted` for the wait.
  bool need_wait(std::size_t wanted);
  /// Parks `w` until more bytes, EOF or an error arrive. Throws std::runtime_error if another reader
  /// is already waiting (asyncio: "read() called while another coroutine is already waiting").
  void park_reader(transport_waiter& w);
  /// In a reader's `await_resume`: it is done waiting, so a read still in flight for it stops after
  /// one chunk instead of filling the buffer toward what it wanted (reads stay lazy).
  void end_read_wait() noexcept { m_wanted = 1; }
  /// Throws `std::system_error` for a stored read error (only when the buffer is empty).
  void throw_read_error() const;

  // ---- writing ----------------------------------------------------------------------------------
  /// Queues `data` (sending at once when possible). Throws std::runtime_error after close().
  void write(std::string_view data);
  void write_eof();
  [[nodiscard]] bool can_write_eof() const noexcept { return m_filter == nullptr; }
  [[nodiscard]] std::size_t write_buffer_size() const noexcept { return m_wbuf.size(); }
  void set_write_buffer_limits(std::size_t high, std::size_t low) noexcept;
  /// True when `drain()` must wait (above the high-water mark and no error yet).
  [[nodiscard]] bool must_drain() const noexcept;
  void park_drainer(transport_waiter& w);
  /// Throws the write error, or "connection lost" after close(), for drain().
  void throw_write_error() const;
  /// Bytes handed to the kernel so far (writes, flushes and sendfile): a progress mark for timeouts
  /// that run between two writes rather than for a whole response (the HTTP server's send_timeout).
  [[nodiscard]] std::uint64_t bytes_sent() const noexcept { return m_bytes_sent; }

  // ---- closing ----------------------------------------------------------------------------------
  /// Stops reading, flushes what is queued, then closes the fd.
  void close();
  /// Closes now, dropping queued bytes.
  void abort();
  [[nodiscard]] bool is_closing() const noexcept { return m_closing; }
  [[nodiscard]] bool is_closed() const noexcept { return m_closed; }
  void park_closer(transport_waiter& w);

  // ---- information ------------------------------------------------------------------------------
  /// The peer's address (cached: error messages name it even after a reset or close).
  [[nodiscard]] socket_address peername() const;
  void set_peername(const socket_address& a) noexcept { m_peer = a; }
  [[nodiscard]] socket_address sockname() const;
  void set_filter(std::unique_ptr<stream_filter> f) noexcept { m_filter = std::move(f); }
  [[nodiscard]] stream_filter* filter() const noexcept { return m_filter.get(); }
  /// Wire bytes the filter produced on its own (the TLS ClientHello): queued after what is already
  /// queued, and flushing starts.
  void flush_filter_output(std::string_view wire);
  /// The filter's state changed in a way a parked reader waits for (TLS handshake finished): wake it.
  void wake_readers() noexcept { m_readers.wake_all(); }
  /// What `peek()` found in the socket.
  enum class peek_result : unsigned char { empty, bytes, closed };
  /// Asks the kernel, consuming nothing, whether unread bytes wait in the socket or the peer closed or
  /// reset it: the readiness cache cannot tell (io_uring fills it only while a read is parked).
  /// `closed` for a closed transport too; `empty` when the fd is not a socket (a pipe).
  [[nodiscard]] peek_result peek() const noexcept;

  // ---- sendfile ---------------------------------------------------------------------------------
  // stream_writer::sendfile (src/net/stream_sendfile.cpp). While a sendfile runs it owns the fd's write
  // side the way a pending flush does (`m_write_pending`): write() queues without sending, close() and
  // write_eof() wait for it, abort() withdraws it. The sendfile's own writability waits use the fd's
  // writer slot, free because no flush is pending meanwhile.
  /// Throws std::runtime_error as write() does for a closed stream or one after write_eof().
  void sendfile_check_open() const;
  /// True while a sendfile must wait before claiming: bytes queued earlier are unsent, or another
  /// sendfile owns the write side. False once the stream failed or closed (the caller reports it).
  [[nodiscard]] bool sendfile_must_wait() const noexcept;
  /// Claims the write side (precondition: !sendfile_must_wait() and not closed); takes a reference.
  void sendfile_claim() noexcept;
  /// Gives the write side back (unless abort() took it) and sends what write() queued meanwhile.
  void sendfile_release() noexcept;
  /// Records a failed send as the stream's write error, as a failed flush does (drain() reports it).
  void sendfile_fail(int err) noexcept;
  /// Counts `n` bytes sendfile(2) handed to the kernel (bytes_sent()).
  void sendfile_sent(std::uint64_t n) noexcept { m_bytes_sent += n; }
  // ---- end sendfile -----------------------------------------------------------------------------

  /// The next connection in the `connection_list` this transport is on, or nullptr.
  [[nodiscard]] stream_transport* next_connection() const noexcept { return m_list_next; }

 private:
  friend class connection_list;
  ~stream_transport();
  void start_read_wait();
  void on_readable();
  bool read_now();  // one read into the buffer; false when it would block
  [[nodiscard]] bool has_news() const noexcept {
    return m_rbuf.size() >= m_wanted || m_eof || m_read_error != 0;
  }
  void send_or_queue(std::string_view wire);
  void start_flush();
  void fail_writes(int err) noexcept;
  void after_flush();
  void finish_close() noexcept;
  static void on_read_ready(io_op& op) noexcept;
  static void on_write_ready(io_op& op) noexcept;

  // The read side and the list links come first, in the order they had as public members (layout).
  byte_buffer m_rbuf;
  std::size_t m_limit = k_default_limit;
  // What the parked reader waits for: this many buffered bytes (SIZE_MAX: EOF), or EOF, or an error.
  std::size_t m_wanted = 1;
  bool m_eof = false;    // the peer finished sending (or our side closed)
  int m_read_error = 0;  // errno of a failed read (reported once the buffer is empty)
  std::string m_read_error_detail;
  // The connection_list this transport is on (a server's open connections), and its links.
  connection_list* m_list = nullptr;
  stream_transport* m_list_prev = nullptr;
  stream_transport* m_list_next = nullptr;

  event_loop* m_loop;
  io_registration m_reg;
  std::uint32_t m_refs = 1;
  std::uint32_t m_handles = 0;
  io_op m_read_op;   // a `readable` wait (no buffer while idle)
  io_op m_write_op;  // flushes m_wbuf
  bool m_read_pending = false;
  bool m_write_pending = false;
  bool m_closing = false;
  bool m_closed = false;
  bool m_eof_requested = false;
  bool m_eof_sent = false;
  int m_write_error = 0;
  std::uint64_t m_bytes_sent = 0;
  std::size_t m_high_water = k_default_high_water;
  std::size_t m_low_water = k_default_high_water / 4;
  byte_buffer m_wbuf;
  byte_buffer m_wire_in;  // filter: bytes read from the fd, not yet decoded
  wait_list m_readers;
  wait_list m_drainers;
  wait_list m_closers;
  std::unique_ptr<stream_filter> m_filter;
  mutable socket_address m_peer;
};

/// A server's open connections: an intrusive list through the transports (no allocation per
/// connection). A transport leaves its list by itself when its fd closes (after close() has flushed,
/// or at abort()), so the list holds exactly the connections whose fd is open.
class connection_list {
 public:
  connection_list() = default;
  connection_list(const connection_list&) = delete;
  connection_list& operator=(const connection_list&) = delete;
  ~connection_list();
  /// Adds `t` (on no list yet) at the front.
  void push_front(stream_transport& t) noexcept;
  /// The most recently added open connection, or nullptr; `next_connection()` walks on.
  [[nodiscard]] stream_transport* front() const noexcept { return m_head; }
  [[nodiscard]] std::size_t size() const noexcept { return m_size; }

 private:
  friend class stream_transport;
  void remove(stream_transport& t) noexcept;

  stream_transport* m_head = nullptr;
  std::size_t m_size = 0;
};

/// Parks a task on one of a transport's wait lists (reader, drain, closed): the shared awaiter pieces.
void park(transport_waiter& w, wait_list& list);
/// In `await_resume`: delivers a cancel that withdrew the wait.
void finish_wait(transport_waiter& w);
/// In an awaiter's destructor: leaves the list if still on it (a frame destroyed while parked).
inline void unpark(transport_waiter& w) noexcept {
  if (w.m_list != nullptr) {
    w.m_list->unlink(&w);
    w.m_list = nullptr;
  }
}
/// In `await_suspend` when a cancel is already pending: do not park; `finish_wait` delivers it.
bool cancel_before_park(transport_waiter& w) noexcept;

}  // namespace detail
}  // namespace aio
