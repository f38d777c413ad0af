#pragma once
// The state behind an aio::files::file, shared by the file object and by the operations running on it.
//
// Design note (docs/design/files.md has the why):
// - Positions are explicit. `m_pos` is the position the user sees. Every read is a pread at an offset
//   computed from it and every write a pwrite at a recorded offset (or an O_APPEND write), so the
//   kernel's own file offset is never used and a request finishing late cannot move anything.
// - Read buffer: `m_rbuf` holds the file's bytes from offset `m_rbuf_start`; while it is non-empty,
//   m_rbuf_start <= m_pos <= m_rbuf_start + m_rbuf.size() and the bytes before m_pos are consumed.
//   `m_scanned` is a file offset up to which readline already knows there is no '\n'. `m_eof_at` is
//   the end of the file as the last fill found it (-1: unknown); a read that stops there reports the
//   end and forgets it, so the next read looks again (the file may have grown). Keeping it in the
//   state, not in the operation, matters under cancellation: a read retried after every timeout
//   would otherwise issue a new fill each time and never see the end.
// - Write buffer: `m_wbuf` holds bytes not yet written, to go at `m_wbuf_off` (not in append mode,
//   where they go to the end). Outside append mode m_pos already counts them.
// - The read buffer is only used while the write buffer is empty: a read first writes the write
//   buffer out, and writing it out drops the read buffer (free, thanks to explicit positions). A
//   write() appends to the write buffer at once, even while a request is in flight (that request is
//   a fill, whose read-ahead the next flush drops, or the write of earlier bytes, which the next flush
//   follows), so the bytes of a cancelled write() are never lost.
// - Requests: the blocking part of an operation (a fill of the read buffer, a write of the write
//   buffer) runs as a small task, `m_inflight`, that applies its result to this state itself when its
//   request finishes. The operation awaits it through `aio::shield`, so a cancelled awaiter leaves the
//   task to finish and apply; the next operation waits for it first (`settle`). There is at most one
//   such task, and `m_outcome` receives its failure. A write failure that no awaiter took is thrown by
//   the next operation.
// - Turns: the public operations run one at a time, in the order they were awaited. Each takes the
//   file's `m_turn` lock first (aio::lock: FIFO, cancel-safe, the waiter lives in the operation's
//   frame; free and uncontended it is a few flag tests and no suspension) and holds it until it ends.
//   Nothing touches the state outside a turn except the in-flight task applying its result, which
//   the turn holder settles before relying on it. A waiter that finds the file closed when its turn
//   comes throws `invalid_state_error`. A turn holder cancelled while its request is in flight gives
//   the turn up at once; the next holder settles the request first, as it always did.
// - Owners: the file object and every running operation or task hold a shared_ptr to the state; the
//   last one closes a file that was not closed (the destructor writes what is buffered synchronously).
// Loop thread only, except the shared_fd (see posix_ops.hpp).

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "aio/fs/mode.hpp"
#include "aio/sync/lock.hpp"
#include "aio/task/task.hpp"
#include "file_ops.hpp"

namespace aio::files::detail {

/// The size of the read buffer's fills and the threshold at which the write buffer is written.
inline constexpr std::size_t buffer_size = std::size_t{64} * 1024;

class file_state {
 public:
  file_state(file_ops& ops, opened_file opened, std::string name, std::string mode_text, open_mode mode);
  file_state(const file_state&) = delete;
  file_state& operator=(const file_state&) = delete;
  /// Closes the file if nobody did (see the file comment).
  ~file_state();

  file_ops* m_ops;
  shared_fd m_fd;
  std::string m_name;
  std::string m_mode_text;
  open_mode m_mode;
  bool m_closed = false;
  aio::lock m_turn;  ///< held by the operation that runs; the others wait in it, FIFO (see above)

  std::int64_t m_pos = 0;
  std::string m_rbuf;
  std::int64_t m_rbuf_start = 0;
  std::int64_t m_scanned = 0;
  std::int64_t m_eof_at = -1;  ///< where a fill last found the end of the file, until a read reports it
  std::string m_wbuf;
  std::int64_t m_wbuf_off = 0;

  std::optional<task<>> m_inflight;
  bool m_inflight_writes = false;
  std::exception_ptr m_outcome;
};

}  // namespace aio::files::detail
