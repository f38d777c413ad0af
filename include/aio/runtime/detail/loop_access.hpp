#pragma once
/// @file loop_access.hpp
/// `detail::loop_access`: the one door from aio's own code into the event loop's internals.
///
/// Tasks, timers, awaitables and transports need more of the loop than users do: scheduling a task
/// header, the timer heap, the task registry, and the backend's operations. Those members are private
/// to `event_loop`; this friend forwards to them, so every internal use names `loop_access` and a
/// change inside the loop cannot be reached around from another room. Not API.

#include <atomic>
#include <cstdint>

#include "aio/detail/callback.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/io/detail/io_op.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/time/clock.hpp"

namespace aio::detail {

struct loop_access {
  // ---- tasks ------------------------------------------------------------------------------------
  /// Queues a woken task for the next iteration (task_header::wake).
  static void schedule(event_loop& loop, task_header* t) noexcept { loop.schedule(t); }
  /// The registry behind `tasks()`/`live_tasks()`: a task enters when it starts, leaves when it ends.
  static void register_task(event_loop& loop, task_header* t) { loop.register_task(t); }
  static void unregister_task(event_loop& loop, task_header* t) noexcept { loop.unregister_task(t); }

  // ---- timers -----------------------------------------------------------------------------------
  /// Arms `n` to fire at `when` (timeouts, wait and as_completed deadlines).
  static void add_timer(event_loop& loop, timer_node* n, clock::time_point when) { loop.add_timer(n, when); }
  /// Disarms `n` if it is armed.
  static void remove_timer(event_loop& loop, timer_node* n) noexcept { loop.remove_timer(n); }
  /// A sleeping task is its own timer entry; when it fires the task is woken.
  static void add_timer(event_loop& loop, task_header* t, clock::time_point when) { loop.add_timer(t, when); }
  static void remove_timer(event_loop& loop, task_header* t) noexcept { loop.remove_timer(t); }

  // ---- stall detection --------------------------------------------------------------------------
  /// The loop's heartbeat: even while it runs iteration n (2n), odd while it waits in the poll.
  static const std::atomic<std::uint64_t>& heartbeat(const event_loop& loop) noexcept {
    return loop.m_heartbeat;
  }

  // ---- tracing ----------------------------------------------------------------------------------
  /// The loop's trace recorder (src/debug/tracer.hpp), or nullptr when it records no trace.
  static tracer* trace(const event_loop& loop) noexcept { return loop.m_tracer; }
  static void set_trace(event_loop& loop, tracer* t) noexcept { loop.m_tracer = t; }

  // ---- callbacks --------------------------------------------------------------------------------
  /// Queues `item` for the next iteration; the queue takes the caller's reference.
  static void enqueue_callback(event_loop& loop, callback_item* item) noexcept {
    loop.enqueue_callback(item);
  }
  /// Throws if called off the loop's thread in debug mode (templates that act on the loop).
  static void check_thread(const event_loop& loop, const char* what) { loop.check_thread(what); }

  // ---- operations (src/backend/backend.hpp states the contract; io/detail/io_operation.hpp uses it)
  /// Before the first operation on an fd.
  static void attach_io(event_loop& loop, io_registration& reg) { loop.attach_io(reg); }
  /// Before closing the fd (nothing if it was never attached).
  static void detach_io(event_loop& loop, io_registration& reg) noexcept { loop.detach_io(reg); }
  /// Attempts `op` without waiting: true when `op.m_result` holds the outcome.
  static bool try_io(event_loop& loop, io_op& op) noexcept { return loop.try_io(op); }
  /// Starts `op`: true when it completed at once, false when its completion will follow.
  static bool submit_io(event_loop& loop, io_op& op) { return loop.submit_io(op); }
  /// Withdraws a pending `op`: true when no completion will follow.
  static bool cancel_io(event_loop& loop, io_op& op) noexcept { return loop.cancel_io(op); }
  /// Cancels and waits until the kernel has let go of `op` (an awaiter's destructor; may block briefly).
  static void abandon_io(event_loop& loop, io_op& op) noexcept { loop.abandon_io(op); }
  /// The backend reported a submitted operation's completion (bookkeeping for virtual time).
  static void io_completed(event_loop& loop) noexcept { loop.io_completed(); }
  /// True when regular-file reads and writes are asynchronous in the kernel (io_uring).
  [[nodiscard]] static bool async_files(const event_loop& loop) noexcept { return loop.async_files(); }
};

}  // namespace aio::detail
