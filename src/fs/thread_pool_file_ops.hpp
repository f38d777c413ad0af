#pragma once
// file_ops on the loop's default thread pool: each primitive is one `to_thread` call of the blocking
// POSIX function (posix_ops.hpp). The epoll backend uses it for everything; io_uring for what the ring
// does not do (ring_file_ops.hpp).

#include "file_ops.hpp"

namespace aio::files::detail {

class thread_pool_file_ops : public file_ops {
 public:
  coro<sys_result<opened_file>> open(std::string path, open_flags flags) override;
  coro<sys_result<std::string>> read_at(shared_fd fd, std::size_t n, std::int64_t offset) override;
  coro<sys_result<std::string>> read_to_end(shared_fd fd, std::int64_t offset) override;
  coro<sys_result<std::int64_t>> write_at(shared_fd fd, std::string data, std::int64_t offset) override;
  coro<sys_result<std::int64_t>> size(shared_fd fd) override;
  coro<int> fsync(shared_fd fd) override;
  coro<int> close(int fd) override;
  coro<sys_result<stat_info>> stat(std::string path) override;
  coro<int> unlink(std::string path) override;
  coro<int> rmdir(std::string path) override;
  coro<int> rename(std::string from, std::string to) override;
  coro<int> mkdir(std::string path) override;
  coro<sys_result<std::vector<std::string>>> list_dir(std::string path) override;
};

}  // namespace aio::files::detail
