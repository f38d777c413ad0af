#pragma once
/// @file waiter.hpp
/// The part every awaiter of aio's synchronisation primitives and queues shares (`sync_waiter`).
///
/// Design note (docs/design/sync.md):
/// - A waiter lives in the awaiting frame (no allocation). While parked it is linked in exactly one
///   `waiter_list` (`m_list` says which) and is the task's `m_suspended`.
/// - It leaves the list in one of two ways. A *grant* (the primitive unlinks it and wakes it) or a
///   *cancel* (`task.cancel()` calls the awaiter's hook, which unlinks it and sets `m_withdrawn`).
/// - A wake-up either resumes the coroutine (`resume_later`: the awaiter finishes in `await_resume`,
///   the protocol's rule 3) or first *re-examines* the primitive at the task's own turn on the loop
///   (`recheck_later`). The re-examination is asyncio's `while not ready: await fut` loop: a queue getter
///   whose item was taken by someone else parks again, a condition waiter that was notified waits for
///   the lock, without the coroutine running in between and without any allocation. It runs in a small
///   per-thread trampoline coroutine that the task's step resumes instead of the awaiting coroutine.
/// - Invariants: a waiter is linked, or has a re-examination pending, or is being resumed, never two
///   of these; a task parked on a waiter is never on the ready queue.

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <string>

#include "aio/detail/task_header.hpp"

namespace aio::detail {

/// The FIFO a primitive keeps its waiters in: intrusive, doubly linked through the nodes' `wait_node`
/// links, O(1) push, pop and unlink; `insert_before` lets a queue waiter that must wait again keep its
/// place (see queue_core.hpp).
class waiter_list {
 public:
  waiter_list() noexcept = default;
  waiter_list(const waiter_list&) = delete;
  waiter_list& operator=(const waiter_list&) = delete;
  ~waiter_list() = default;

  [[nodiscard]] bool empty() const noexcept { return m_head == nullptr; }
  [[nodiscard]] wait_node* front() const noexcept { return m_head; }
  [[nodiscard]] wait_node* back() const noexcept { return m_tail; }
  void push_back(wait_node* n) noexcept { insert_before(nullptr, n); }
  /// Links `n` before `pos` (at the back when `pos` is nullptr).
  void insert_before(wait_node* pos, wait_node* n) noexcept {
    wait_node* prev = pos != nullptr ? pos->m_prev : m_tail;
    n->m_prev = prev;
    n->m_next = pos;
    (prev != nullptr ? prev->m_next : m_head) = n;
    (pos != nullptr ? pos->m_prev : m_tail) = n;
  }
  wait_node* pop_front() noexcept {
    wait_node* n = m_head;
    if (n != nullptr) unlink(n);
    return n;
  }
  /// Precondition: `n` is in this list.
  void unlink(wait_node* n) noexcept {
    (n->m_prev != nullptr ? n->m_prev->m_next : m_head) = n->m_next;
    (n->m_next != nullptr ? n->m_next->m_prev : m_tail) = n->m_prev;
    n->m_prev = n->m_next = nullptr;
  }
  /// Pops every node in order and calls its `m_wake` (which only enqueues work).
  void wake_all() noexcept {
    while (wait_node* n = pop_front()) n->m_wake(n);
  }
  /// Pops up to `n` nodes in order and wakes them.
  void wake(std::size_t n) noexcept {
    for (; n != 0; --n) {
      wait_node* w = pop_front();
      if (w == nullptr) return;
      w->m_wake(w);
    }
  }

 private:
  wait_node* m_head = nullptr;
  wait_node* m_tail = nullptr;
};

/// The base of every awaiter of the primitives and queues: the wait node a primitive links, the
/// suspension `task.cancel()` calls, the parked task and the coroutine to resume (see the file note).
class sync_waiter : public suspension, public wait_node {
 public:
  sync_waiter() noexcept = default;
  sync_waiter(const sync_waiter&) = delete;
  sync_waiter& operator=(const sync_waiter&) = delete;
  /// A frame destroyed while parked (its task dropped when the loop closed) leaves no dangling link.
  ~sync_waiter();

  /// Takes the current task and the coroutine to resume. False when a cancel request is pending: the
  /// caller returns false from `await_suspend` and `await_resume` delivers it (rule 2).
  /// Throws `std::runtime_error` outside an aio task.
  bool begin_suspend(std::coroutine_handle<> h, const char* what);
  /// Links this waiter at the back of `list` and parks the task on it.
  void park(waiter_list& list) noexcept {
    list.push_back(this);
    m_list = &list;
    park_task();
  }
  /// Makes the task's `m_suspended` this waiter again (after a re-examination that did not finish).
  void park_task() noexcept {
    m_task->m_resume = m_handle;
    m_task->m_suspended = this;
  }
  /// Unlinks this waiter from its list (precondition: linked).
  void unlink() noexcept {
    m_list->unlink(this);
    m_list = nullptr;
  }
  /// Called on a node that its list already popped.
  void popped() noexcept { m_list = nullptr; }
  [[nodiscard]] bool linked() const noexcept { return m_list != nullptr; }

  /// Wakes the task: the coroutine resumes on its next step (never inline).
  void resume_later() noexcept { m_task->wake(); }
  /// The cancel hook of a waiter that only has to leave its list: unlink, remember the withdrawal (so
  /// `await_resume` throws even after `uncancel()`), wake the task.
  static bool withdraw_on_cancel(suspension* s, const std::string& msg) noexcept;
  /// Wakes the task, but on its next step `m_recheck(this)` runs first: true resumes the coroutine at
  /// once (same step), false means the waiter parked again.
  void recheck_later() noexcept;

  /// True when a cancel request waits for this task (the task is queued or running).
  [[nodiscard]] bool cancel_requested() const noexcept { return m_task->has(task_header::flag_must_cancel); }
  /// Throws `cancelled_error`: consumes a pending request, or (the waiter was withdrawn by a cancel that
  /// was then `uncancel`led) throws anyway, as asyncio does once the awaited future was cancelled.
  [[noreturn]] void throw_cancelled();
  /// If this waiter was withdrawn by a cancel or a request is pending, throws `cancelled_error`.
  void deliver_cancel() {
    if (m_withdrawn || cancel_requested()) throw_cancelled();
  }
  /// The task this waiter parked, or nullptr if it never suspended (fast path).
  [[nodiscard]] task_header* task() const noexcept { return m_task; }

  using recheck_fn = bool (*)(sync_waiter*) noexcept;
  recheck_fn m_recheck = nullptr;         ///< see `recheck_later`
  sync_waiter* m_next_recheck = nullptr;  ///< link in the thread's list of pending re-examinations

 protected:
  task_header* m_task = nullptr;
  std::coroutine_handle<> m_handle;
  waiter_list* m_list = nullptr;
  bool m_recheck_pending = false;

 public:
  bool m_withdrawn = false;  ///< a cancel unlinked this waiter: `await_resume` must throw

 private:
  friend std::coroutine_handle<> run_recheck() noexcept;
  friend std::coroutine_handle<> recheck_target(const task_header* t, std::coroutine_handle<> h) noexcept;
};

/// The next waiter to run its re-examination (called by the trampoline; internal).
std::coroutine_handle<> run_recheck() noexcept;
/// Await graphs (include/aio/debug/call_graph.hpp): `h`, unless `h` is the re-examination trampoline a
/// woken task `t` will resume in; then the coroutine its pending waiter resumes (nullptr if it is not
/// pending on this thread).
std::coroutine_handle<> recheck_target(const task_header* t, std::coroutine_handle<> h) noexcept;

}  // namespace aio::detail
