#pragma once
/// @file queue_core.hpp
/// What every `aio::basic_queue` shares whatever its item type and order: counts, shutdown, and the
/// getters and putters that wait (compiled once, in src/queue/queue_core.cpp).
///
/// Design note (docs/design/sync.md):
/// - A grant is a notification, as asyncio's: `put_nowait` wakes the first getter, which takes an item
///   at its own turn. If the item is gone by then (a task that never waited took it: asyncio allows
///   it), the getter waits again *in its old place* (its ticket orders the list), where asyncio would
///   send it to the back. Putters are symmetric.
/// - A woken waiter that is cancelled before it runs passes its wake-up to the next waiter if the item
///   (or free slot) it was woken for is still there, so a cancel never loses one.
/// - The item type only appears in `basic_queue` and its awaiters' `await_resume`.

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "aio/sync/detail/waiter.hpp"
#include "aio/sync/event.hpp"

namespace aio::detail {

class queue_core;

/// The part of `get()`'s and `put()`'s awaiters that does not depend on the item type.
class queue_waiter : public sync_waiter {
 public:
  queue_waiter(queue_core& core, bool putter) noexcept : m_core(&core), m_putter(putter) {}
  /// Ready without suspending: an item (a slot) is there, or the queue is shut down (resume throws).
  [[nodiscard]] bool await_ready() const noexcept;
  bool await_suspend(std::coroutine_handle<> h);

 protected:
  /// Delivers a cancel if this waiter suspended and was cancelled; call first in `await_resume`.
  void finish_wait() {
    if (m_task != nullptr) deliver_cancel();
  }
  queue_core* m_core;

 private:
  friend class queue_core;
  static void on_wake(wait_node* n) noexcept;
  static bool recheck(sync_waiter* w) noexcept;
  [[nodiscard]] waiter_list& own_list() const noexcept;
  /// True when what this waiter waits for is there (or never will be: shut down).
  [[nodiscard]] bool can_proceed() const noexcept;

  std::uint64_t m_ticket = 0;  ///< arrival order: keeps the place of a waiter that must wait again
  bool m_putter;
};

/// Counts, shutdown and waiters of a queue. The owner keeps the items and calls `added`/`removed`.
class queue_core {
 public:
  explicit queue_core(std::size_t maxsize) noexcept : m_maxsize(maxsize) { m_finished.set(); }
  queue_core(const queue_core&) = delete;
  queue_core& operator=(const queue_core&) = delete;
  ~queue_core() = default;

  [[nodiscard]] std::size_t size() const noexcept { return m_size; }
  [[nodiscard]] std::size_t maxsize() const noexcept { return m_maxsize; }
  [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
  [[nodiscard]] bool full() const noexcept { return m_maxsize != 0 && m_size >= m_maxsize; }
  [[nodiscard]] bool is_shut_down() const noexcept { return m_shutdown; }

  /// Throws `queue_shut_down` / `queue_full` when `put_nowait` may not add an item.
  void check_put() const;
  /// Throws `queue_shut_down` / `queue_empty` when `get_nowait` may not take an item.
  void check_get() const;
  /// After an item was added: counts it as unfinished work and wakes the first getter.
  void added() noexcept;
  /// After an item was taken: wakes the first putter.
  void removed() noexcept;
  /// After `shutdown(immediate)` dropped `n` items: they no longer count as unfinished work.
  void dropped(std::size_t n) noexcept;
  /// Marks the queue shut down and wakes every waiter (they throw, or take what is left).
  void shut_down() noexcept;
  /// `queue::task_done()`.
  void task_done();
  /// `queue::join()`'s awaiter: waits until no work is unfinished.
  [[nodiscard]] event_wait_operation join() noexcept { return m_finished.wait(); }

 private:
  friend class queue_waiter;
  /// Adds `w` to its list in ticket order (at the back unless it is waiting again).
  void enlist(queue_waiter* w, waiter_list& list) noexcept;

  waiter_list m_getters;
  waiter_list m_putters;
  event m_finished;  ///< set while no work is unfinished (join() waits on it)
  std::size_t m_size = 0;
  std::size_t m_maxsize;
  std::size_t m_unfinished = 0;
  std::uint64_t m_next_ticket = 0;
  bool m_shutdown = false;
};

}  // namespace aio::detail
