#pragma once
// The seam between aio::files and the way its system calls are made (docs/design/files.md).
//
// aio::files never makes a blocking call itself: `file`, `open` and the path operations ask a
// `file_ops` for each primitive and await the answer. thread_pool_file_ops.hpp sends the blocking POSIX
// function (posix_ops.hpp) to the loop's default thread pool with `to_thread`; ring_file_ops.hpp
// submits `read_at`/`write_at` as io_uring operations and keeps the thread pool for the rest.
// `file_ops_for(loop)` picks the ring one when the loop runs on io_uring.
//
// Contract for an implementation:
// - Every operation is lazy (a `coro`), and yields an errno instead of throwing (errors get their path
//   and message in errors.cpp); it may throw `cancelled_error` and `std::bad_alloc`.
// - Buffers are owned by the operation (`read_at` returns a new string, `write_at` takes its data by
//   value) and a request holds a `shared_fd` reference until its system call has returned. So a
//   request whose awaiter was cancelled, and which finishes in the background, never touches memory or
//   a descriptor number that its file has since reused.
// - A request that yields an owned resource (`open`) releases it if nobody takes the result.
// - Requests on one descriptor may run concurrently; the file layer serialises its own.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "aio/task/coro.hpp"
#include "posix_ops.hpp"

namespace aio {
class event_loop;
}

namespace aio::files::detail {

class file_ops {
 public:
  file_ops() = default;
  file_ops(const file_ops&) = delete;
  file_ops& operator=(const file_ops&) = delete;
  virtual ~file_ops() = default;

  virtual coro<sys_result<opened_file>> open(std::string path, open_flags flags) = 0;
  virtual coro<sys_result<std::string>> read_at(shared_fd fd, std::size_t n, std::int64_t offset) = 0;
  virtual coro<sys_result<std::string>> read_to_end(shared_fd fd, std::int64_t offset) = 0;
  /// `offset < 0`: append (the descriptor has O_APPEND). Yields the offset after the data.
  virtual coro<sys_result<std::int64_t>> write_at(shared_fd fd, std::string data, std::int64_t offset) = 0;
  virtual coro<sys_result<std::int64_t>> size(shared_fd fd) = 0;
  virtual coro<int> fsync(shared_fd fd) = 0;
  /// Closes a descriptor released from its `fd_handle` (the caller made sure no request uses it).
  virtual coro<int> close(int fd) = 0;
  virtual coro<sys_result<stat_info>> stat(std::string path) = 0;
  virtual coro<int> unlink(std::string path) = 0;
  virtual coro<int> rmdir(std::string path) = 0;
  virtual coro<int> rename(std::string from, std::string to) = 0;
  virtual coro<int> mkdir(std::string path) = 0;
  virtual coro<sys_result<std::vector<std::string>>> list_dir(std::string path) = 0;
};

/// The implementation for `loop`: the ring one when `loop_access::async_files(loop)`, else the
/// thread-pool one.
file_ops& file_ops_for(event_loop& loop);

}  // namespace aio::files::detail
