// file_ops on the loop's default thread pool: each primitive is one `to_thread` call (file_ops.hpp).
//
// The jobs take their `shared_fd` by value and drop it when the system call returns, before the
// completion is posted to the loop, so once a request has been awaited to its end the file holds the
// only reference again (close() relies on it to close the descriptor itself and report errors).

#include "file_ops.hpp"

#include "ring_file_ops.hpp"
#include "thread_pool_file_ops.hpp"

#include <utility>

#include "aio/executor/to_thread.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::files::detail {

namespace {

// Each job drops its reference as soon as its system call returns, before the completion is posted.
sys_result<std::string> read_at_job(shared_fd fd, std::size_t n, std::int64_t offset) {
  sys_result<std::string> r = posix::read_at(fd->get(), n, offset);
  fd.reset();
  return r;
}
sys_result<std::string> read_to_end_job(shared_fd fd, std::int64_t offset) {
  sys_result<std::string> r = posix::read_to_end(fd->get(), offset);
  fd.reset();
  return r;
}
sys_result<std::int64_t> write_at_job(shared_fd fd, const std::string& data, std::int64_t offset) {
  const sys_result<std::int64_t> r = posix::write_at(fd->get(), data, offset);
  fd.reset();
  return r;
}
sys_result<std::int64_t> size_job(shared_fd fd) {
  const sys_result<std::int64_t> r = posix::file_size(fd->get());
  fd.reset();
  return r;
}
int fsync_job(shared_fd fd) {
  const int err = posix::fsync_fd(fd->get());
  fd.reset();
  return err;
}

}  // namespace

coro<sys_result<opened_file>> thread_pool_file_ops::open(std::string path, open_flags flags) {
  // A result nobody takes (the awaiter was cancelled) is dropped with its fd_handle: no leak.
  co_return co_await aio::to_thread(posix::open_file, std::move(path), flags);
}
coro<sys_result<std::string>> thread_pool_file_ops::read_at(shared_fd fd, std::size_t n,
                                                            std::int64_t offset) {
  co_return co_await aio::to_thread(read_at_job, std::move(fd), n, offset);
}
coro<sys_result<std::string>> thread_pool_file_ops::read_to_end(shared_fd fd, std::int64_t offset) {
  co_return co_await aio::to_thread(read_to_end_job, std::move(fd), offset);
}
coro<sys_result<std::int64_t>> thread_pool_file_ops::write_at(shared_fd fd, std::string data,
                                                              std::int64_t offset) {
  co_return co_await aio::to_thread(write_at_job, std::move(fd), std::move(data), offset);
}
coro<sys_result<std::int64_t>> thread_pool_file_ops::size(shared_fd fd) {
  co_return co_await aio::to_thread(size_job, std::move(fd));
}
coro<int> thread_pool_file_ops::fsync(shared_fd fd) {
  co_return co_await aio::to_thread(fsync_job, std::move(fd));
}
coro<int> thread_pool_file_ops::close(int fd) { co_return co_await aio::to_thread(posix::close_fd, fd); }
coro<sys_result<stat_info>> thread_pool_file_ops::stat(std::string path) {
  co_return co_await aio::to_thread(posix::stat_path, std::move(path));
}
coro<int> thread_pool_file_ops::unlink(std::string path) {
  co_return co_await aio::to_thread(posix::unlink_path, std::move(path));
}
coro<int> thread_pool_file_ops::rmdir(std::string path) {
  co_return co_await aio::to_thread(posix::rmdir_path, std::move(path));
}
coro<int> thread_pool_file_ops::rename(std::string from, std::string to) {
  co_return co_await aio::to_thread(posix::rename_path, std::move(from), std::move(to));
}
coro<int> thread_pool_file_ops::mkdir(std::string path) {
  co_return co_await aio::to_thread(posix::mkdir_path, std::move(path));
}
coro<sys_result<std::vector<std::string>>> thread_pool_file_ops::list_dir(std::string path) {
  co_return co_await aio::to_thread(posix::list_dir, std::move(path));
}
file_ops& file_ops_for(event_loop& loop) {
  // Stateless: one instance of each serves every loop and thread.
  static thread_pool_file_ops pool_ops;
  static ring_file_ops ring_ops;
  if (aio::detail::loop_access::async_files(loop)) return ring_ops;
  return pool_ops;
}

}  // namespace aio::files::detail
