#pragma once
/// @file open.hpp
/// `aio::files::open`: open a file with a Python mode string (aiofiles.open).

#include <filesystem>
#include <string>

#include "aio/fs/file.hpp"
#include "aio/task/coro.hpp"

namespace aio::files {

/// Opens `path` with Python's `open()` mode (`"r"`, `"w"`, `"a"`, `"x"`, each optionally with `"+"` and
/// `"b"` or `"t"`; see `open_mode`) and yields the open file. "w" creates or empties the file, "a"
/// creates it and writes at its end, "x" creates it and fails if it exists; new files get mode 0666
/// minus the umask. The file starts at position 0, or at its end in append mode.
/// @par Cancellation
/// Cancelling the awaiter throws `cancelled_error` at once; a file the worker thread still opens is
/// closed again, so nothing leaks (and a file created by "w", "a" or "x" stays created).
/// @par Errors
/// `std::invalid_argument` for a bad mode string (thrown at `co_await`, as the coro is lazy);
/// `std::filesystem::filesystem_error` with the errno and the path otherwise: `ENOENT` (missing file or
/// directory), `EACCES` (permission), `EISDIR` (a directory, in any mode), `EEXIST` ("x" on an existing
/// file). `std::runtime_error` outside an aio task.
/// @par Thread safety
/// Await on the loop's thread.
/// @par Example
/// @code
/// auto f = co_await aio::files::open("out.log", "a");
/// co_await f.write("started\n");
/// co_await f.close();
/// @endcode
coro<file> open(std::filesystem::path path, std::string mode = "r");

}  // namespace aio::files
