#pragma once
/// @file io_operation.hpp
/// `io_operation`: the awaiter for one backend operation, living in the awaiting frame (no allocation).
///
/// It follows the awaiter protocol (docs/design/awaiter_protocol.md): `await_ready` tries the syscall
/// once (a ready socket never suspends its task, as asyncio's transports write at once) while the
/// step's cooperative budget lasts; otherwise the operation is submitted and the task parks until the backend
/// reports the result. `await_resume` returns the raw result (bytes, or -errno) so that the caller can name
/// the address or path in its error; a cancelled wait throws `cancelled_error`.

#include <coroutine>
#include <cstdint>

#include "aio/detail/coop_budget.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/io/detail/io_op.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

class io_operation : public suspension {
 public:
  io_operation(event_loop& loop, io_registration& reg, io_kind kind) noexcept : m_loop(&loop) {
    m_cancel = &on_cancel;
    m_op.m_kind = kind;
    m_op.m_fd = reg.m_fd;
    m_op.m_reg = &reg;
  }
  io_operation(const io_operation&) = delete;
  io_operation& operator=(const io_operation&) = delete;
  ~io_operation() {
    if (m_op.m_pending)
      loop_access::abandon_io(*m_loop, m_op);  // a frame destroyed while parked (loop close)
  }

  /// The request: fill before awaiting.
  io_op& op() noexcept { return m_op; }

  bool await_ready() noexcept { return coop_spend() && loop_access::try_io(*m_loop, m_op); }
  bool await_suspend(std::coroutine_handle<> h);
  /// The result: >= 0, or -errno. Throws `cancelled_error` when a cancel withdrew the operation.
  std::int64_t await_resume();

 private:
  static bool on_cancel(suspension* s, const std::string& msg);
  static void on_complete(io_op& op) noexcept;

  event_loop* m_loop;
  task_header* m_task = nullptr;
  io_op m_op;
  bool m_cancel_requested = false;  // io_uring: the kernel still owned the buffer when cancel() came
};

}  // namespace aio::detail
