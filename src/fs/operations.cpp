// Path operations: each is one file_ops request, its errno turned into a filesystem_error.

#include "aio/fs/operations.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include "aio/runtime/event_loop.hpp"
#include "errors.hpp"
#include "file_ops.hpp"

namespace aio::files {

namespace {
detail::file_ops& ops() { return detail::file_ops_for(get_running_loop()); }
}  // namespace

coro<stat_result> stat(std::filesystem::path path) {
  const std::string p = path.string();
  const detail::sys_result<detail::stat_info> r = co_await ops().stat(p);
  detail::check(r.error, "stat", p);
  stat_result out;
  out.size = r.value.size;
  out.mtime =
      std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(r.value.mtime_ns)));
  out.is_dir = r.value.is_dir;
  out.is_file = r.value.is_file;
  out.mode = r.value.mode;
  co_return out;
}

coro<bool> exists(std::filesystem::path path) {
  const detail::sys_result<detail::stat_info> r = co_await ops().stat(path.string());
  co_return r.error == 0;
}

coro<void> remove(std::filesystem::path path) {
  const std::string p = path.string();
  detail::check(co_await ops().unlink(p), "remove", p);
}

coro<void> rmdir(std::filesystem::path path) {
  const std::string p = path.string();
  detail::check(co_await ops().rmdir(p), "rmdir", p);
}

coro<void> rename(std::filesystem::path from, std::filesystem::path to) {
  const std::string a = from.string();
  const std::string b = to.string();
  const int err = co_await ops().rename(a, b);
  if (err != 0) detail::throw_error(err, "rename", a, b);
}

coro<void> mkdir(std::filesystem::path path, mkdir_options options) {
  // "a/b/" names "a/b": without this, parents=true would create "a/b" and then fail on "a/b/".
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  const std::string p = path.string();
  int err = co_await ops().mkdir(p);
  if (err == ENOENT && options.parents) {
    const std::filesystem::path parent = path.parent_path();
    if (!parent.empty() && parent != path) {
      co_await mkdir(parent, mkdir_options{.parents = true, .exist_ok = true});
      err = co_await ops().mkdir(p);
    }
  }
  if (err == EEXIST && options.exist_ok) {
    const detail::sys_result<detail::stat_info> r = co_await ops().stat(p);
    if (r.error == 0 && r.value.is_dir) co_return;  // an existing file is still an error, as pathlib
  }
  detail::check(err, "mkdir", p);
}

coro<std::vector<std::string>> listdir(std::filesystem::path path) {
  const std::string p = path.string();
  detail::sys_result<std::vector<std::string>> r = co_await ops().list_dir(p);
  detail::check(r.error, "listdir", p);
  std::sort(r.value.begin(), r.value.end());
  co_return std::move(r.value);
}

}  // namespace aio::files
