// async_exit_stack::aclose: every entry closed, last first, each shielded from cancellation.

#include "aio/task/async_exit_stack.hpp"

namespace aio {

coro<> async_exit_stack::close_all(async_exit_stack* self) {
  std::exception_ptr first;
  while (!self->m_entries.empty()) {
    // Popped before it is closed (asyncio pops the callback first): an entry is closed once, even if a
    // second aclose() runs while this one waits.
    std::unique_ptr<detail::exit_entry> entry = std::move(self->m_entries.back());
    self->m_entries.pop_back();
    std::exception_ptr failure = co_await detail::uncancellable_close(entry->close());
    if (failure) {
      if (first) {
        detail::report_close_failure(failure, "aio::async_exit_stack");
      } else {
        first = failure;
      }
    }
  }
  detail::finish_with(nullptr, false, first, "aio::async_exit_stack");
}

}  // namespace aio
