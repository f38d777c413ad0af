// Whole-file helpers: open, one read or write, close (three requests to a worker thread).

#include "aio/fs/whole_file.hpp"

#include <utility>

#include "aio/fs/file.hpp"
#include "aio/fs/open.hpp"

namespace aio::files {

coro<std::string> read_text(std::filesystem::path path) {
  file f = co_await open(std::move(path), "r");
  std::string data = co_await f.read();
  co_await f.close();
  co_return data;
}

coro<std::string> read_bytes(std::filesystem::path path) { return read_text(std::move(path)); }

coro<std::size_t> write_text(std::filesystem::path path, std::string data) {
  file f = co_await open(std::move(path), "w");
  const std::size_t n = co_await f.write(std::move(data));
  co_await f.close();
  co_return n;
}

coro<std::size_t> write_bytes(std::filesystem::path path, std::string data) {
  return write_text(std::move(path), std::move(data));
}

}  // namespace aio::files
