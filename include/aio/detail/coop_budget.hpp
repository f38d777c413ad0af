#pragma once
/// @file coop_budget.hpp
/// The cooperative budget (Tokio's "coop"): how many operations one step of a task may complete in
/// place before it has to give the loop a turn. Without it a task whose reads always find bytes (a
/// peer that streams, a buffer full of pipelined requests) never suspends: other tasks starve and its
/// own timeouts and cancellation never fire. See docs/design/awaiter_protocol.md, rule 6.

#include <coroutine>
#include <cstdint>

#include "aio/time/sleep.hpp"

namespace aio::detail {

/// Operations one step may complete in place (Tokio's figure). A step that begins with a cancel
/// pending gets none, so its first such operation delivers the cancel.
inline constexpr std::uint32_t k_coop_budget = 128;

/// Spends one unit of the running step's budget. False when it is spent: the awaiter must not complete
/// in place but go through `await_suspend`, which delivers a pending cancel (rule 2) or, when the
/// operation could complete, yields with `coop_yield` and completes on the task's next step.
bool coop_spend() noexcept;
/// True once the running step's budget is spent.
bool coop_exhausted() noexcept;
/// Puts the running task at the back of the ready queue (asyncio's `sleep(0)`); its next step resumes
/// `h`. The task is queued, not parked: a cancel meanwhile stays pending for the next suspension point,
/// and that step starts with no budget, so it is delivered at the next operation.
void coop_yield(std::coroutine_handle<> h) noexcept;

/// A yield point for work that completes without any awaitable: a message or request taken from bytes
/// already buffered. `co_await coop_point{}` spends a unit and, on a spent budget, is `sleep(0s)`
/// (a pending cancel is delivered there: use it where a cancel loses nothing).
class coop_point : public sleep_operation<false> {
 public:
  coop_point() noexcept : sleep_operation<false>(0) {}
  [[nodiscard]] bool await_ready() const noexcept { return coop_spend(); }
};

}  // namespace aio::detail
