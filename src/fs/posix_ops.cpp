// The blocking POSIX calls of aio::files (see posix_ops.hpp). Every function retries EINTR and returns
// the errno; none throws except std::bad_alloc.

#include "posix_ops.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>
#include <utility>

namespace aio::files::detail {

fd_handle::~fd_handle() {
  if (m_fd >= 0) ::close(m_fd);
}

namespace posix {

namespace {
constexpr std::size_t chunk_size = std::size_t{64} * 1024;

int open_mode_flags(open_flags f) {
  int flags = O_CLOEXEC;
  if (f.read && f.write) {
    flags |= O_RDWR;
  } else if (f.write) {
    flags |= O_WRONLY;
  } else {
    flags |= O_RDONLY;
  }
  if (f.create) flags |= O_CREAT;
  if (f.truncate) flags |= O_TRUNC;
  if (f.exclusive) flags |= O_EXCL;
  if (f.append) flags |= O_APPEND;
  return flags;
}

// Reads at most `n` bytes into `out` from `offset`, stopping early only at the end of the file.
int pread_into(int fd, char* out, std::size_t n, std::int64_t offset, std::size_t& got) {
  got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(offset) + static_cast<off_t>(got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return 0;
}
}  // namespace

sys_result<opened_file> open_file(const std::string& path, open_flags flags) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), open_mode_flags(flags), 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return {.value = {}, .error = errno};
  auto handle = std::make_shared<fd_handle>(fd);  // closes it on every early return below
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {.value = {}, .error = errno};
  if (S_ISDIR(st.st_mode)) return {.value = {}, .error = EISDIR};
  return {.value = {.fd = std::move(handle), .size = static_cast<std::int64_t>(st.st_size)}, .error = 0};
}

sys_result<std::string> read_at(int fd, std::size_t n, std::int64_t offset) {
  std::string buf(n, '\0');
  std::size_t got = 0;
  if (const int err = pread_into(fd, buf.data(), n, offset, got); err != 0)
    return {.value = {}, .error = err};
  buf.resize(got);
  return {.value = std::move(buf), .error = 0};
}

sys_result<std::string> read_to_end(int fd, std::int64_t offset) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {.value = {}, .error = errno};
  const std::int64_t expected = st.st_size > offset ? st.st_size - offset : 0;
  std::string buf(static_cast<std::size_t>(expected), '\0');
  std::size_t got = 0;
  if (const int err = pread_into(fd, buf.data(), buf.size(), offset, got); err != 0) {
    return {.value = {}, .error = err};
  }
  buf.resize(got);
  // The file may have grown since fstat: read on until pread reports the end.
  for (;;) {
    const std::size_t old = buf.size();
    buf.resize(old + chunk_size);
    if (const int err =
            pread_into(fd, buf.data() + old, chunk_size, offset + static_cast<std::int64_t>(old), got);
        err != 0) {
      return {.value = {}, .error = err};
    }
    buf.resize(old + got);
    if (got < chunk_size) break;
  }
  return {.value = std::move(buf), .error = 0};
}

sys_result<std::int64_t> write_at(int fd, const std::string& data, std::int64_t offset) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t r = offset < 0 ? ::write(fd, data.data() + done, data.size() - done)
                                 : ::pwrite(fd, data.data() + done, data.size() - done,
                                            static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return {.value = 0, .error = errno};
    }
    done += static_cast<std::size_t>(r);
  }
  if (offset >= 0) return {.value = offset + static_cast<std::int64_t>(done), .error = 0};
  const off_t end = ::lseek(fd, 0, SEEK_CUR);
  if (end < 0) return {.value = 0, .error = errno};
  return {.value = static_cast<std::int64_t>(end), .error = 0};
}

sys_result<std::int64_t> file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {.value = 0, .error = errno};
  return {.value = static_cast<std::int64_t>(st.st_size), .error = 0};
}

int fsync_fd(int fd) {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

int close_fd(int fd) {
  // Linux closes the descriptor even when close() fails (EINTR included): never retry.
  return ::close(fd) == 0 ? 0 : errno;
}

sys_result<stat_info> stat_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {.value = {}, .error = errno};
  stat_info info;
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  info.mode = static_cast<std::uint32_t>(st.st_mode);
  info.is_dir = S_ISDIR(st.st_mode);
  info.is_file = S_ISREG(st.st_mode);
  return {.value = info, .error = 0};
}

int unlink_path(const std::string& path) { return ::unlink(path.c_str()) == 0 ? 0 : errno; }

int rmdir_path(const std::string& path) { return ::rmdir(path.c_str()) == 0 ? 0 : errno; }

int rename_path(const std::string& from, const std::string& to) {
  return std::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

int mkdir_path(const std::string& path) { return ::mkdir(path.c_str(), 0777) == 0 ? 0 : errno; }

sys_result<std::vector<std::string>> list_dir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return {.value = {}, .error = errno};
  std::vector<std::string> names;
  int err = 0;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      err = errno;
      break;
    }
    const std::string_view name(entry->d_name);
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  if (err != 0) return {.value = {}, .error = err};
  return {.value = std::move(names), .error = 0};
}

}  // namespace posix
}  // namespace aio::files::detail
