#pragma once
/// @file file.hpp
/// `aio::files::file`: an open file whose reads and writes are awaited (aiofiles' file object).
///
/// The file keeps its own position and a 64 KiB read buffer and write buffer; every system call runs
/// off the loop's thread (today on the loop's default thread pool, see docs/design/files.md). Opened
/// with `aio::files::open` (aio/fs/open.hpp).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aio/task/coro.hpp"

namespace aio::files {

namespace detail {
class file_state;
}

/// Where `file::seek` counts from (Python's `os.SEEK_SET`, `SEEK_CUR`, `SEEK_END`).
enum class whence { set = 0, cur = 1, end = 2 };

/// An open file (aiofiles' `AsyncBufferedReader`/`AsyncTextIOWrapper`, one type for text and binary).
///
/// Move-only. If it is still open when destroyed (or assigned to), it is closed synchronously on the
/// calling thread: buffered writes are written first with a blocking call and errors are ignored, so
/// `co_await f.close()` is the way to see them. Every operation's coroutine keeps the file's state
/// alive, so moving or destroying the object while one runs is safe (the file is then closed when the
/// operation ends). Bytes are `std::string`s; text mode does no newline translation and no decoding.
/// @par Several tasks
/// Several tasks may await operations on one file at once: they run one at a time, in call order (the
/// order in which they are awaited), each as a whole — a `write` lands in one piece, a `read` or
/// `readline` returns consecutive bytes — as each aiofiles call is one whole job on its executor (aio
/// also keeps their order). They share the one position, as Python's tasks sharing a file object do.
/// `close()` takes its turn like the others: what was awaited before it still runs, what is awaited
/// after it fails with `aio::invalid_state_error`. An operation that has to wait does not allocate
/// (its place in the queue lives in its own coroutine frame); one that does not wait costs what it did
/// with a single task.
/// @par Cancellation
/// Each operation is one request to a worker thread, which cannot be stopped. Cancelling the awaiter
/// throws `cancelled_error` at once. An operation cancelled while it waits for its turn is withdrawn:
/// it did nothing (a queued `write` wrote nothing) and the others keep their order. Once it has begun,
/// the request finishes in the background and is applied to the file as if it had been awaited, and
/// the next operation on the file first waits for it. So a cancelled `read` or `readline` loses
/// nothing (the bytes stay buffered for the next read), and a cancelled `write`, `flush` or `close`
/// still writes the bytes it was given, in order; a write error that nobody awaited is thrown by the
/// next operation.
/// @par Errors
/// `std::filesystem::filesystem_error` (a `std::system_error` carrying the errno and the path) for a
/// failed system call, and for reading a file not opened for reading or writing one not opened for
/// writing (`EBADF`, Python's `io.UnsupportedOperation`). `aio::invalid_state_error` after `close()`
/// (Python's `ValueError: I/O operation on closed file`), also for an operation that was waiting
/// behind the `close()`.
/// @par Thread safety
/// Use a file on its loop's thread (from any number of its tasks).
/// @par Example
/// @code
/// auto f = co_await aio::files::open("notes.txt", "r");
/// while (auto line = co_await f.next_line()) std::cout << *line;
/// co_await f.close();
///
/// auto out = co_await aio::files::open("log.txt", "w");
/// co_await aio::gather(writer(out, 'a'), writer(out, 'b'));  // each write whole, in call order
/// @endcode
class file {
 public:
  /// A closed file, to be assigned to.
  file() noexcept = default;
  file(file&&) noexcept = default;
  /// Closes this file synchronously if it is open (see the class), then takes `other`'s.
  file& operator=(file&& other) noexcept = default;
  file(const file&) = delete;
  file& operator=(const file&) = delete;
  /// Closes the file synchronously if it is still open and no operation runs on it (see the class).
  ~file() = default;

  /// Reads up to `n` bytes (all the rest of the file when `n` is negative); fewer only at the end of
  /// the file, "" there.
  /// @par Cancellation
  /// Cancel-safe: nothing read is lost, and one cancelled while waiting for its turn read nothing (see
  /// the class).
  coro<std::string> read(std::int64_t n = -1);
  /// Reads one line, including its '\n' (the last line may have none); "" at the end of the file.
  coro<std::string> readline();
  /// The next line, including its '\n', or `std::nullopt` at the end of the file (`async for line in
  /// f`): `while (auto line = co_await f.next_line()) use(*line);`.
  coro<std::optional<std::string>> next_line();
  /// Every remaining line, each with its '\n'.
  coro<std::vector<std::string>> readlines();
  /// Writes `data` (buffered: it may reach the file only at the next `flush`, `seek`, `read` or
  /// `close`) and returns its size. In append mode ("a") every write goes to the end of the file.
  /// @par Cancellation
  /// Cancelled while waiting for its turn, it wrote nothing; after that the bytes were accepted and are
  /// still written (see the class).
  coro<std::size_t> write(std::string data);
  /// Writes the buffered bytes to the file (the operating system's cache, not the disk: see `fsync`).
  coro<void> flush();
  /// `flush()`, then asks the operating system to put the file on the disk (`os.fsync`).
  coro<void> fsync();
  /// Moves the position to `offset` from the start, the current position or the end, and returns the
  /// new position. Seeking past the end is allowed; a position before the start fails with `EINVAL`.
  coro<std::int64_t> seek(std::int64_t offset, whence from = whence::set);
  /// The current position, in bytes from the start of the file.
  coro<std::int64_t> tell();
  /// Writes what is buffered and closes the file, in its turn (operations awaited before it run first);
  /// a second `close()` does nothing. The file is closed even when the write fails (the failure is
  /// then thrown).
  /// @par Cancellation
  /// Cancelled while waiting for its turn or while writing, the file stays open (the bytes are still
  /// written in the second case): `close()` again, or let the destructor close it.
  coro<void> close();

  /// The path given to `open` (Python's `f.name`).
  [[nodiscard]] const std::string& name() const noexcept;
  /// The mode string given to `open` (Python's `f.mode`).
  [[nodiscard]] const std::string& mode() const noexcept;
  /// True once `close()` has written the buffer out (not while it waits for its turn or writes), and
  /// for a default-constructed or moved-from file.
  [[nodiscard]] bool closed() const noexcept;
  /// True when the file may be read / written (its mode).
  [[nodiscard]] bool readable() const noexcept;
  [[nodiscard]] bool writable() const noexcept;

  /// Internal: `open` makes files from their state.
  explicit file(std::shared_ptr<detail::file_state> state) noexcept : m_state(std::move(state)) {}

 private:
  std::shared_ptr<detail::file_state> m_state;
};

}  // namespace aio::files
