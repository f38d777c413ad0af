// What a scoped_guard does when release() throws in its destructor: report, as asyncio reports
// exceptions it has nowhere to raise.

#include "aio/sync/scoped.hpp"

#include <cstdio>
#include <exception>

#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

void report_release_failure() noexcept {
  exception_context ctx;
  ctx.message = "aio: scoped_guard could not release what it held";
  ctx.exception = std::current_exception();
  if (event_loop* loop = running_loop()) {
    loop->call_exception_handler(ctx);
    return;
  }
  std::fprintf(stderr, "%s\n", ctx.message.c_str());
}

}  // namespace aio::detail
