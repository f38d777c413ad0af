#pragma once
// How aio::files reports failures: an errno becomes a std::filesystem::filesystem_error (a
// std::system_error with std::generic_category()) naming the operation and the path; what() reads
// "filesystem error: <operation>: <strerror> [<path>]".

#include <filesystem>
#include <string>

namespace aio::files::detail {

[[nodiscard]] std::filesystem::filesystem_error make_error(int err, const std::string& what,
                                                           const std::string& path);
[[noreturn]] void throw_error(int err, const std::string& what, const std::string& path);
[[noreturn]] void throw_error(int err, const std::string& what, const std::string& path1,
                              const std::string& path2);
/// Throws if `err` is not 0.
inline void check(int err, const char* what, const std::string& path) {
  if (err != 0) throw_error(err, what, path);
}

}  // namespace aio::files::detail
