#pragma once
// file_ops on io_uring: positional reads and writes are ring operations (IORING_OP_READ/WRITE with an
// offset), so a file read costs no thread hand-off; the rest (open, stat, fsync, directory calls, and
// appends, whose end offset only lseek can tell) stays on the thread pool.
//
// Cancellation: a request runs in its own task, shielded by the file layer (file_state.hpp), and a
// ring operation's buffer lives in the request's frame; io_operation keeps the frame parked until the
// kernel has released the buffer, so a cancel never lets the kernel write into freed memory.

#include "thread_pool_file_ops.hpp"

namespace aio::files::detail {

class ring_file_ops final : public thread_pool_file_ops {
 public:
  coro<sys_result<std::string>> read_at(shared_fd fd, std::size_t n, std::int64_t offset) override;
  coro<sys_result<std::string>> read_to_end(shared_fd fd, std::int64_t offset) override;
  coro<sys_result<std::int64_t>> write_at(shared_fd fd, std::string data, std::int64_t offset) override;
};

}  // namespace aio::files::detail
