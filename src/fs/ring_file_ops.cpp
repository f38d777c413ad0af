// Positional file reads and writes as io_uring operations (ring_file_ops.hpp).

#include "ring_file_ops.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include "aio/io/detail/io_operation.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::files::detail {

namespace {

constexpr std::size_t first_chunk = std::size_t{64} * 1024;
constexpr std::size_t largest_chunk = std::size_t{4} * 1024 * 1024;

/// One pread/pwrite through the ring: bytes transferred, or -errno.
coro<std::int64_t> transfer(int fd, aio::detail::io_kind kind, char* buf, std::size_t len,
                            std::int64_t offset) {
  // A stand-alone registration: regular files are never polled, the ring reads them directly.
  aio::detail::io_registration reg;
  reg.m_fd = fd;
  reg.m_is_socket = false;
  aio::detail::io_operation op(get_running_loop(), reg, kind);
  op.op().m_buf = buf;
  op.op().m_len = len;
  op.op().m_offset = offset;
  co_return co_await op;
}

/// Reads into `buf[got..]` until it is full or the file ends; 0 or an errno.
/// (At least one read is made, even into an empty tail: a zero-length read costs nothing and every
/// path through the coroutine awaits, which clang-tidy's analyzer needs to follow the promise.)
coro<int> fill(int fd, std::string& buf, std::size_t& got, std::int64_t offset) {
  do {
    const std::int64_t r = co_await transfer(fd, aio::detail::io_kind::read, buf.data() + got,
                                             buf.size() - got, offset + static_cast<std::int64_t>(got));
    if (r == -EINTR || r == -EAGAIN) continue;
    if (r < 0) co_return static_cast<int>(-r);
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  } while (got < buf.size());
  co_return 0;
}

}  // namespace

coro<sys_result<std::string>> ring_file_ops::read_at(shared_fd fd, std::size_t n, std::int64_t offset) {
  std::string buf(n, '\0');
  std::size_t got = 0;
  if (const int err = co_await fill(fd->get(), buf, got, offset); err != 0) co_return {{}, err};
  buf.resize(got);
  co_return {std::move(buf), 0};
}

coro<sys_result<std::string>> ring_file_ops::read_to_end(shared_fd fd, std::int64_t offset) {
  // The size is unknown without an fstat on the loop thread: read in chunks that grow geometrically,
  // so a large file costs O(log n) reallocations and ring round trips per chunk size.
  std::string buf;
  std::size_t got = 0;
  std::size_t chunk = first_chunk;
  for (;;) {
    buf.resize(got + chunk);
    const std::size_t before = got;
    if (const int err = co_await fill(fd->get(), buf, got, offset); err != 0) co_return {{}, err};
    if (got - before < chunk) break;
    chunk = std::min(chunk * 2, largest_chunk);
  }
  buf.resize(got);
  co_return {std::move(buf), 0};
}

coro<sys_result<std::int64_t>> ring_file_ops::write_at(shared_fd fd, std::string data, std::int64_t offset) {
  // An append's end offset is known only to lseek after the write: the thread pool does both.
  if (offset < 0) co_return co_await thread_pool_file_ops::write_at(std::move(fd), std::move(data), offset);
  std::size_t done = 0;
  do {  // at least once, as fill() above (an empty write is one zero-length write)
    const std::int64_t r = co_await transfer(fd->get(), aio::detail::io_kind::write, data.data() + done,
                                             data.size() - done, offset + static_cast<std::int64_t>(done));
    if (r == -EINTR || r == -EAGAIN) continue;
    if (r < 0) co_return {0, static_cast<int>(-r)};
    if (r == 0 && !data.empty()) co_return {0, EIO};  // a regular file never takes nothing
    done += static_cast<std::size_t>(r);
  } while (done < data.size());
  co_return {offset + static_cast<std::int64_t>(done), 0};
}

}  // namespace aio::files::detail
