#pragma once
// The blocking POSIX primitives under aio::files: plain functions that make the system calls, loop over
// short reads and writes and EINTR, and return the errno instead of throwing. They run on whatever
// thread calls them: file_ops.cpp sends them to a worker thread; only file_state's destructor calls
// one (write_at) on the loop's thread. posix_ops.cpp is the only aio::files file that includes
// platform headers.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aio::files::detail {

/// An owned file descriptor, shared by the file and by every request in flight on it: the descriptor
/// is closed when the last owner lets go, so a request abandoned by a cancelled awaiter never finds its
/// number reused by another `open()`.
class fd_handle {
 public:
  explicit fd_handle(int fd) noexcept : m_fd(fd) {}
  fd_handle(const fd_handle&) = delete;
  fd_handle& operator=(const fd_handle&) = delete;
  /// Closes the descriptor if still owned (errors are ignored: nobody could see them).
  ~fd_handle();
  [[nodiscard]] int get() const noexcept { return m_fd; }
  /// Gives the descriptor up (to close it with its error reported); the handle then owns nothing.
  int release() noexcept {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd;
};

using shared_fd = std::shared_ptr<fd_handle>;

/// A result or an errno (0: success).
template <class T>
struct sys_result {
  T value{};
  int error = 0;
};

/// Flags for `open_file`, independent of <fcntl.h>.
struct open_flags {
  bool read = false;
  bool write = false;
  bool create = false;
  bool truncate = false;
  bool exclusive = false;
  bool append = false;
};

/// An opened file and its size at opening.
struct opened_file {
  shared_fd fd;
  std::int64_t size = 0;
};

/// What `stat` needs from `struct stat`.
struct stat_info {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  ///< since the Unix epoch
  std::uint32_t mode = 0;
  bool is_dir = false;
  bool is_file = false;
};

namespace posix {

/// open(2) with O_CLOEXEC and mode 0666, then fstat: a directory is refused with EISDIR (Linux lets one
/// be opened read-only), as Python's open() does.
sys_result<opened_file> open_file(const std::string& path, open_flags flags);
/// Reads up to `n` bytes at `offset` (pread, repeated until `n` or the end of the file).
sys_result<std::string> read_at(int fd, std::size_t n, std::int64_t offset);
/// Reads from `offset` to the end of the file (sized by fstat, then until pread returns 0).
sys_result<std::string> read_to_end(int fd, std::int64_t offset);
/// Writes all of `data` at `offset` (pwrite), or at the end of the file when `offset` is negative (the
/// descriptor has O_APPEND: write, then lseek to learn where it ended). Yields the offset after it.
sys_result<std::int64_t> write_at(int fd, const std::string& data, std::int64_t offset);
/// The file's current size (fstat).
sys_result<std::int64_t> file_size(int fd);
int fsync_fd(int fd);
int close_fd(int fd);
sys_result<stat_info> stat_path(const std::string& path);
int unlink_path(const std::string& path);
int rmdir_path(const std::string& path);
int rename_path(const std::string& from, const std::string& to);
int mkdir_path(const std::string& path);
/// The entries of a directory, without "." and "..", unsorted.
sys_result<std::vector<std::string>> list_dir(const std::string& path);

}  // namespace posix
}  // namespace aio::files::detail
