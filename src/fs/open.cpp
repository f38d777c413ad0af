// aio::files::open: parse the mode, open on a worker thread, wrap the descriptor in a file.

#include "aio/fs/open.hpp"

#include <memory>
#include <utility>

#include "aio/fs/mode.hpp"
#include "aio/runtime/event_loop.hpp"
#include "errors.hpp"
#include "file_ops.hpp"
#include "file_state.hpp"

namespace aio::files {

coro<file> open(std::filesystem::path path, std::string mode) {
  const open_mode m = open_mode::parse(mode);
  detail::file_ops& ops = detail::file_ops_for(get_running_loop());
  std::string name = path.string();
  const detail::open_flags flags{.read = m.read,
                                 .write = m.write,
                                 .create = m.create,
                                 .truncate = m.truncate,
                                 .exclusive = m.exclusive,
                                 .append = m.append};
  detail::sys_result<detail::opened_file> r = co_await ops.open(name, flags);
  detail::check(r.error, "open", name);
  co_return file(
      std::make_shared<detail::file_state>(ops, std::move(r.value), std::move(name), std::move(mode), m));
}

}  // namespace aio::files
