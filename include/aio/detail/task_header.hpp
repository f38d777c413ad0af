#pragma once
/// @file task_header.hpp
/// The state every aio coroutine frame carries, inline in its promise: one allocation per task.
///
/// Design note (see docs/design/tasks.md):
/// - A frame is either an inline coroutine (awaited directly: `m_resume` is the awaiting coroutine) or the
///   root of a task (`flag_task`: `m_resume` is the innermost coroutine to resume on the next step).
/// - A task is in exactly one of three places: on the ready queue (`m_next` links it), suspended on an
///   awaitable (`m_suspended` says how to cancel that wait), or running.
/// - The loop holds one reference while the task is unfinished; every `task<T>`/`task_handle` holds one.
///   The frame is destroyed when the count reaches zero, and a finished task is never resumed.
/// - Completion never runs awaiters inline: each `wait_node` is woken, which only enqueues work.

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

namespace aio {
class event_loop;
}

namespace aio::detail {

struct suspension;

/// Intrusive link of the ready queue. The queue tags each pointer with the kind of the item it points
/// to, so a task pays 8 bytes for being queueable and no function pointer.
/// A task is never queued and suspended at once, so the same word also says what a suspended task
/// waits on (`m_suspended`); `task_header::flag_queued` tells which meaning is live.
struct ready_link {
  union {
    std::uintptr_t m_next = 0;
    suspension* m_suspended;
  };
};

/// A node in an intrusive doubly linked wait list; lives in the waiter's coroutine frame.
struct wait_node {
  wait_node* m_prev = nullptr;
  wait_node* m_next = nullptr;
  /// Called when the awaited thing completes or grants. It must only enqueue work, never resume.
  void (*m_wake)(wait_node*) = nullptr;
};

/// FIFO of wait nodes (O(1) push, pop and unlink) in one word: the head's `m_prev` points at the tail,
/// `m_next` ends with nullptr (so it can be walked forwards).
class wait_list {
 public:
  [[nodiscard]] bool empty() const noexcept { return m_head == nullptr; }
  [[nodiscard]] wait_node* front() const noexcept { return m_head; }
  [[nodiscard]] wait_node* back() const noexcept { return m_head != nullptr ? m_head->m_prev : nullptr; }
  void push_back(wait_node* n) noexcept {
    n->m_next = nullptr;
    if (m_head == nullptr) {
      n->m_prev = n;
      m_head = n;
      return;
    }
    wait_node* tail = m_head->m_prev;
    tail->m_next = n;
    n->m_prev = tail;
    m_head->m_prev = n;
  }
  wait_node* pop_front() noexcept {
    wait_node* n = m_head;
    if (n != nullptr) unlink(n);
    return n;
  }
  /// Precondition: `n` is in this list.
  void unlink(wait_node* n) noexcept {
    if (n == m_head) {
      m_head = n->m_next;
      if (m_head != nullptr) m_head->m_prev = n->m_prev;
    } else {
      n->m_prev->m_next = n->m_next;
      (n->m_next != nullptr ? n->m_next : m_head)->m_prev = n->m_prev;
    }
    n->m_prev = n->m_next = nullptr;
  }
  /// Wakes every node, in order, emptying the list.
  void wake_all() noexcept {
    while (wait_node* n = pop_front()) n->m_wake(n);
  }

 private:
  wait_node* m_head = nullptr;
};

class task_header;

/// A waiter that follows many tasks with one object (gather): it joins a task's waiter list without a
/// node of its own and is told which task finished. `m_child_done` must only enqueue work, as `m_wake`.
struct group_waiter {
  void (*m_child_done)(group_waiter*, task_header*) noexcept = nullptr;
};

/// The waiters of a task: a `wait_list` whose chain may end in a `group_waiter` instead of nullptr.
/// The end word (the last node's `m_next`, or the head when there is no node) is nullptr or the group's
/// address with bit 0 set. A group joins only an empty list, so it is the oldest waiter and is told
/// first; nodes added later go in front of it (`push_back` keeps the end word).
class task_wait_list {
 public:
  /// No node and no group.
  [[nodiscard]] bool empty() const noexcept { return m_head == nullptr; }
  /// The first node (never the group), or nullptr.
  [[nodiscard]] wait_node* front() const noexcept { return is_node(m_head) ? m_head : nullptr; }
  /// The node after `n`, or nullptr.
  [[nodiscard]] static wait_node* next(const wait_node* n) noexcept {
    return is_node(n->m_next) ? n->m_next : nullptr;
  }
  void push_back(wait_node* n) noexcept {
    if (!is_node(m_head)) {
      n->m_next = m_head;
      n->m_prev = n;
      m_head = n;
      return;
    }
    wait_node* tail = m_head->m_prev;
    n->m_next = tail->m_next;
    tail->m_next = n;
    n->m_prev = tail;
    m_head->m_prev = n;
  }
  /// Precondition: `n` is in this list.
  void unlink(wait_node* n) noexcept {
    if (n == m_head) {
      m_head = n->m_next;
      if (is_node(m_head)) m_head->m_prev = n->m_prev;
    } else {
      n->m_prev->m_next = n->m_next;
      (is_node(n->m_next) ? n->m_next : m_head)->m_prev = n->m_prev;
    }
    n->m_prev = n->m_next = nullptr;
  }
  /// Precondition: `empty()`.
  void set_group(group_waiter* g) noexcept { m_head = tag(g); }
  /// Takes `g` out of the list; false if it was not there (told already, or never joined).
  bool remove_group(group_waiter* g) noexcept {
    wait_node*& end = end_word();
    if (end != tag(g)) return false;
    end = nullptr;
    return true;
  }
  /// The group following the task, or nullptr (await graphs read it; nothing else needs it).
  [[nodiscard]] group_waiter* group() const noexcept {
    const wait_node* end = is_node(m_head) ? m_head->m_prev->m_next : m_head;
    return reinterpret_cast<group_waiter*>(  // NOLINT(performance-no-int-to-ptr)
        reinterpret_cast<std::uintptr_t>(end) & ~std::uintptr_t{1});
  }
  /// Tells the group, then wakes every node in order, emptying the list.
  void wake_all(task_header* t) noexcept {
    wait_node*& end = end_word();
    if (end != nullptr) {
      auto* g = reinterpret_cast<group_waiter*>(  // NOLINT(performance-no-int-to-ptr)
          reinterpret_cast<std::uintptr_t>(end) & ~std::uintptr_t{1});
      end = nullptr;
      g->m_child_done(g, t);
    }
    while (wait_node* n = front()) {
      unlink(n);
      n->m_wake(n);
    }
  }

 private:
  static bool is_node(const wait_node* p) noexcept {
    return (reinterpret_cast<std::uintptr_t>(p) & 1U) == 0 && p != nullptr;
  }
  static wait_node* tag(group_waiter* g) noexcept {
    // A group is at least pointer-aligned: bit 0 of its address is free.
    const std::uintptr_t bits = reinterpret_cast<std::uintptr_t>(g) | 1U;
    return reinterpret_cast<wait_node*>(bits);  // NOLINT(performance-no-int-to-ptr)
  }
  wait_node*& end_word() noexcept { return is_node(m_head) ? m_head->m_prev->m_next : m_head; }

  wait_node* m_head = nullptr;
};

/// What a suspended task waits on, seen from `cancel()`: `m_cancel` withdraws the wait and wakes the task
/// (returns true), or forwards the request (awaiting another task: returns that task's `cancel()`).
struct suspension {
  bool (*m_cancel)(suspension*, const std::string& msg) = nullptr;
};

struct task_extra;

/// The common header of every aio promise.
class task_header : public ready_link {
 public:
  enum flag : std::uint16_t {
    flag_task = 1U << 0,         ///< root of a task (else an inline coroutine)
    flag_started = 1U << 1,      ///< the body has taken its first step
    flag_done = 1U << 2,         ///< finished: value, error or cancelled
    flag_cancelled = 1U << 3,    ///< finished by cancellation
    flag_value = 1U << 4,        ///< the result slot holds a value
    flag_error = 1U << 5,        ///< the result slot holds an exception
    flag_must_cancel = 1U << 6,  ///< a cancel request waits for the next suspension point
    flag_retrieved = 1U << 7,    ///< the exception was observed (no "never retrieved" report)
    flag_queued = 1U << 8,       ///< on the ready queue
    flag_inline_run = 1U << 9,   ///< an inline coro started by its awaiter's await_suspend, still running
    flag_future = 1U << 10,      ///< a future: a frame with no body, completed from outside
    flag_extra = 1U << 11,       ///< has an entry in the side table of rarely used state
    flag_withdrawn = 1U << 12,   ///< cancel() withdrew the task's wait: the cancel must be delivered
                                 ///< at resume even if uncancel() runs first (the awaited thing is
                                 ///< gone, as asyncio's cancelled future is)
  };

  [[nodiscard]] bool has(flag f) const noexcept { return (m_flags & f) != 0; }
  // clang-tidy's analyzer does not model a coroutine promise's construction, so in a coroutine that
  // returns before its first co_await it takes `m_flags` (initialised to 0 below) for garbage.
  // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
  void set(flag f) noexcept { m_flags = static_cast<std::uint16_t>(m_flags | f); }
  void clear(flag f) noexcept { m_flags = static_cast<std::uint16_t>(m_flags & ~f); }

  // ---- task operations (defined in src/detail/task_header.cpp) ----------------------------------
  /// Makes this frame the root of a task on `loop` and schedules its first step.
  void start_task(event_loop& loop, std::coroutine_handle<> root, std::string name, bool eager);
  /// Requests cancellation (CPython 3.13 `Task.cancel`). False if already done.
  bool cancel(std::string msg = {});
  /// Decrements the cancel request count; at zero a pending request is dropped. Returns the new count.
  int uncancel() noexcept;
  [[nodiscard]] int cancelling() const noexcept { return m_cancel_requests; }
  /// Runs one step of the task (called by the loop only).
  void step() noexcept;
  /// Called from the final suspend point of a task root.
  void finish() noexcept;
  /// Reference counting by handles; the last release of a finished task destroys its frame.
  void add_ref() noexcept { ++m_refs; }
  void release() noexcept;
  /// Wakes the task: puts it on the ready queue (clears `m_suspended`).
  void wake() noexcept;
  /// The cancel message of the last `cancel(msg)`.
  [[nodiscard]] std::string cancel_message() const;
  [[nodiscard]] std::string name() const;
  void set_name(std::string name);
  /// Throws `cancelled_error` if a cancel request is pending and consumes it (the delivery point).
  void deliver_cancel();
  /// Registers `n` to be woken when the task finishes (at once-ish if already done).
  void add_waiter(wait_node* n) noexcept;
  void remove_waiter(wait_node* n) noexcept;
  /// A group waiter (gather) follows the task without a node; only while `m_waiters.empty()`.
  void add_group_waiter(group_waiter* g) noexcept { m_waiters.set_group(g); }
  /// True if `g` was still waiting (it is not told then).
  bool remove_group_waiter(group_waiter* g) noexcept { return m_waiters.remove_group(g); }
  /// Rarely used state (name, cancel message), kept in a side table so that a plain task stays small.
  [[nodiscard]] task_extra& extra();
  [[nodiscard]] event_loop& loop() const noexcept;
  /// Where this frame's coroutine starts: valid for every aio promise (checked in tests).
  [[nodiscard]] std::coroutine_handle<> frame() const noexcept;
  /// Reports a task destroyed with an exception nobody looked at.
  void report_unretrieved() const noexcept;

  /// The failure (valid while `flag_error`). It shares storage with the value: see result_slot.hpp.
  [[nodiscard]] const std::exception_ptr& error() const noexcept;
  /// Stores the failure; precondition: the frame holds neither a value nor an error.
  void set_error(std::exception_ptr e) noexcept;

  /// What a sleeping task's `m_suspended` points at: the task itself is the timer (see sleep.hpp).
  static suspension sleeping;

  std::coroutine_handle<> m_resume;          ///< inline: the awaiting coroutine; task: the next to resume
  task_wait_list m_waiters;                  ///< task: who waits for it to finish
  std::uint32_t m_refs = 0;                  ///< task: handles plus one for the loop while unfinished
  std::uint32_t m_registry_index = 0;        ///< task: slot in the loop's all-tasks table
  std::uint16_t m_flags = 0;                 ///< `flag` bits
  std::uint16_t m_cancel_requests = 0;       ///< `cancelling()`
  std::uint32_t m_timer_index = UINT32_MAX;  ///< task: its slot in the timer heap while it sleeps
};

/// Where the result union starts in every promise (right after the header).
inline constexpr std::size_t k_result_offset = sizeof(task_header);
static_assert(k_result_offset % alignof(std::exception_ptr) == 0);

/// The task whose step is running on this thread, or nullptr.
task_header* current_task_header() noexcept;

}  // namespace aio::detail
