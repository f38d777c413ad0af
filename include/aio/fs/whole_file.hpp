#pragma once
/// @file whole_file.hpp
/// Read or write a whole file in one call (pathlib's `read_text`, `write_text`, `read_bytes`,
/// `write_bytes`), awaited.

#include <cstddef>
#include <filesystem>
#include <string>

#include "aio/task/coro.hpp"

namespace aio::files {

/// The whole content of the file at `path`.
/// @par Cancellation
/// Cancelling throws `cancelled_error` at once; the read finishes in the background and is dropped.
/// @par Errors
/// As `open(path, "r")` and `file::read`: `std::filesystem::filesystem_error` with the errno and path.
/// @par Thread safety
/// Await on the loop's thread.
/// @par Example
/// @code
/// std::string config = co_await aio::files::read_text("app.conf");
/// @endcode
coro<std::string> read_text(std::filesystem::path path);
/// Same as `read_text` (bytes and text are both `std::string` in aio).
coro<std::string> read_bytes(std::filesystem::path path);

/// Replaces the content of the file at `path` with `data` (creating the file) and returns its size.
/// @par Cancellation
/// Cancelling throws `cancelled_error` at once; the write still completes in the background (the file
/// may be left empty or partly written if the process ends first).
/// @par Errors
/// As `open(path, "w")`, `file::write` and `file::close`.
/// @par Thread safety
/// Await on the loop's thread.
/// @par Example
/// @code
/// co_await aio::files::write_text("hello.txt", "hello\n");
/// @endcode
coro<std::size_t> write_text(std::filesystem::path path, std::string data);
/// Same as `write_text`.
coro<std::size_t> write_bytes(std::filesystem::path path, std::string data);

}  // namespace aio::files
