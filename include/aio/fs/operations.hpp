#pragma once
/// @file operations.hpp
/// File-system operations on paths, awaited (aiofiles.os / os / pathlib): `stat`, `exists`, `remove`,
/// `rmdir`, `rename`, `mkdir`, `listdir`.
///
/// Every function here is one request to a worker thread (today the loop's default thread pool).
/// @par Cancellation (all of them)
/// Cancelling the awaiter throws `cancelled_error` at once; the request cannot be stopped, so it still
/// happens in the background (a `remove` still removes) and its result is dropped.
/// @par Errors (all of them)
/// `std::filesystem::filesystem_error`: a `std::system_error` whose `code()` is the errno
/// (`std::generic_category()`), with the path (`path1()`, and in `what()`); `std::runtime_error`
/// outside an aio task.
/// @par Thread safety (all of them)
/// Await on the loop's thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "aio/task/coro.hpp"

namespace aio::files {

/// What `stat` reports (the useful part of Python's `os.stat_result`).
struct stat_result {
  std::uint64_t size = 0;                       ///< `st_size`, in bytes
  std::chrono::system_clock::time_point mtime;  ///< `st_mtime`, with the file system's resolution
  bool is_dir = false;                          ///< a directory (`stat.S_ISDIR`)
  bool is_file = false;                         ///< a regular file (`stat.S_ISREG`)
  std::uint32_t mode = 0;  ///< `st_mode`: type and permission bits (`mode & 07777` for the permissions)
};

/// The status of `path`, following symbolic links (`os.stat`).
/// @par Example
/// @code
/// auto st = co_await aio::files::stat("data.bin");
/// if (st.is_file) std::cout << st.size << " bytes\n";
/// @endcode
coro<stat_result> stat(std::filesystem::path path);

/// True if `path` names something that exists, following symbolic links (`os.path.exists`: any error,
/// a permission problem included, gives false; it never throws for the path).
coro<bool> exists(std::filesystem::path path);

/// Removes the file `path` (`os.remove`); a directory fails with `EISDIR` (use `rmdir`).
coro<void> remove(std::filesystem::path path);

/// Removes the empty directory `path` (`os.rmdir`).
coro<void> rmdir(std::filesystem::path path);

/// Renames `from` to `to`, replacing a file at `to` (`os.rename`); the error names `from`.
coro<void> rename(std::filesystem::path from, std::filesystem::path to);

/// Options of `mkdir`, as pathlib's `Path.mkdir(parents=..., exist_ok=...)`.
struct mkdir_options {
  bool parents = false;   ///< also create missing parent directories
  bool exist_ok = false;  ///< an existing directory is not an error (an existing file still is)
};

/// Creates the directory `path` with mode 0777 minus the umask (`pathlib.Path.mkdir`).
/// @par Example
/// @code
/// co_await aio::files::mkdir("out/logs/today", {.parents = true, .exist_ok = true});
/// @endcode
coro<void> mkdir(std::filesystem::path path, mkdir_options options = {});

/// The names in directory `path`, without "." and "..", sorted (byte order); `os.listdir` leaves the
/// order unspecified, aio sorts so that results are reproducible.
coro<std::vector<std::string>> listdir(std::filesystem::path path);

}  // namespace aio::files
