#include "errors.hpp"

#include <system_error>

namespace aio::files::detail {

std::filesystem::filesystem_error make_error(int err, const std::string& what, const std::string& path) {
  return {what, std::filesystem::path(path), std::error_code(err, std::generic_category())};
}

void throw_error(int err, const std::string& what, const std::string& path) {
  throw make_error(err, what, path);
}

void throw_error(int err, const std::string& what, const std::string& path1, const std::string& path2) {
  throw std::filesystem::filesystem_error(what, std::filesystem::path(path1), std::filesystem::path(path2),
                                          std::error_code(err, std::generic_category()));
}

}  // namespace aio::files::detail
