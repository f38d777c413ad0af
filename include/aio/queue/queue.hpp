#pragma once
/// @file queue.hpp
/// `aio::queue`, `aio::priority_queue`, `aio::lifo_queue`: queues between tasks (asyncio.Queue,
/// PriorityQueue, LifoQueue). One implementation, `basic_queue`, with the order as a storage policy.

#include <coroutine>
#include <cstddef>
#include <functional>
#include <utility>

#include "aio/queue/detail/queue_core.hpp"
#include "aio/queue/detail/queue_storage.hpp"

namespace aio {

template <class T, class Storage>
class basic_queue;

namespace detail {
/// The awaiter of `get()`; lives in the awaiting frame.
template <class T, class Storage>
class queue_get_operation : public queue_waiter {
 public:
  explicit queue_get_operation(basic_queue<T, Storage>& q) noexcept
      : queue_waiter(q.m_core, false), m_queue(&q) {}
  T await_resume() {
    finish_wait();
    return m_queue->get_nowait();
  }

 private:
  basic_queue<T, Storage>* m_queue;
};

/// The awaiter of `put(item)`; holds the item until it is in the queue.
template <class T, class Storage>
class queue_put_operation : public queue_waiter {
 public:
  queue_put_operation(basic_queue<T, Storage>& q, T item)
      : queue_waiter(q.m_core, true), m_queue(&q), m_item(std::move(item)) {}
  void await_resume() {
    finish_wait();
    m_queue->put_nowait(std::move(m_item));
  }

 private:
  basic_queue<T, Storage>* m_queue;
  T m_item;
};
}  // namespace detail

/// A queue of `T` between tasks, bounded by `maxsize` (0: unbounded), in the order `Storage` keeps
/// (use the aliases `queue`, `priority_queue`, `lifo_queue`).
///
/// Semantics are CPython 3.13's: `task_done()`/`join()` count unfinished work, `shutdown()` stops the
/// queue. Waiters are served in the order they started waiting.
/// @par Cancellation
/// `get()`, `put()` and `join()` are cancel-safe: a cancelled `get()` takes no item, a cancelled `put()`
/// adds none (the item is dropped with the awaiter), and a waiter cancelled after it was woken but
/// before it ran passes the wake-up on: no item, free slot or wake-up is lost.
/// @par Errors
/// `get_nowait()` throws `aio::queue_empty`, `put_nowait()` `aio::queue_full`; after `shutdown()`,
/// `put()`/`put_nowait()` throw `aio::queue_shut_down`, and `get()`/`get_nowait()` too once the queue is
/// empty. `task_done()` called more times than items were put throws `std::invalid_argument`. Awaiting
/// outside an aio task throws `std::runtime_error`.
/// @par Thread safety
/// A single-loop primitive: use it on the loop's thread only.
/// @par Example
/// @code
/// aio::queue<std::string> jobs(10);
/// // producer:
/// co_await jobs.put("work");
/// // consumer:
/// std::string job = co_await jobs.get();
/// jobs.task_done();
/// // wait until every job was processed:
/// co_await jobs.join();
/// @endcode
template <class T, class Storage>
class basic_queue {
 public:
  /// The item type.
  using value_type = T;

  /// A queue holding at most `maxsize` items (0: unbounded); `storage` carries a comparator, say.
  explicit basic_queue(std::size_t maxsize = 0, Storage storage = Storage())
      : m_core(maxsize), m_items(std::move(storage)) {}
  basic_queue(const basic_queue&) = delete;
  basic_queue& operator=(const basic_queue&) = delete;
  /// Precondition: no task waits on it.
  ~basic_queue() = default;

  /// Takes the next item, waiting while the queue is empty.
  /// @par Cancellation
  /// Cancel-safe: a cancelled `get()` takes nothing.
  /// @par Errors
  /// `aio::queue_shut_down` once the queue is shut down and empty.
  [[nodiscard]] detail::queue_get_operation<T, Storage> get() noexcept {
    return detail::queue_get_operation<T, Storage>(*this);
  }
  /// Adds `item`, waiting while the queue is full.
  /// @par Cancellation
  /// Cancel-safe: a cancelled `put()` adds nothing.
  /// @par Errors
  /// `aio::queue_shut_down` if the queue is shut down.
  [[nodiscard]] detail::queue_put_operation<T, Storage> put(T item) {
    return detail::queue_put_operation<T, Storage>(*this, std::move(item));
  }
  /// Adds `item` now.
  /// @par Errors
  /// `aio::queue_shut_down` after `shutdown()`, else `aio::queue_full` if the queue is full.
  void put_nowait(T item) {
    m_core.check_put();
    m_items.push(std::move(item));
    m_core.added();
  }
  /// Takes the next item now.
  /// @par Errors
  /// `aio::queue_empty` if empty (`aio::queue_shut_down` if also shut down).
  T get_nowait() {
    m_core.check_get();
    T item = m_items.pop();
    m_core.removed();
    return item;
  }

  /// Marks one item taken by `get()` as processed; `join()` returns once every item put was.
  /// @par Errors
  /// `std::invalid_argument` if called more times than items were put.
  void task_done() { m_core.task_done(); }
  /// Waits until every item put has been processed (`task_done()`); returns at once if none is pending.
  /// @par Cancellation
  /// Cancel-safe: nothing is consumed.
  [[nodiscard]] detail::event_wait_operation join() noexcept { return m_core.join(); }

  /// Shuts the queue down: `put()` throws `aio::queue_shut_down` from now on, and `get()` does once the
  /// queue is empty; every waiting `put()` and `get()` is woken to find out. With `immediate`, the items
  /// left are dropped (and no longer count for `join()`), so getters throw at once. Synchronous.
  void shutdown(bool immediate = false) {
    if (immediate) {
      const std::size_t n = m_core.size();
      m_items.clear();
      m_core.dropped(n);
    }
    m_core.shut_down();
  }

  /// The number of items in the queue.
  [[nodiscard]] std::size_t qsize() const noexcept { return m_core.size(); }
  /// The bound given at construction (0: unbounded).
  [[nodiscard]] std::size_t maxsize() const noexcept { return m_core.maxsize(); }
  /// True when the queue holds no item.
  [[nodiscard]] bool empty() const noexcept { return m_core.empty(); }
  /// True when `maxsize()` items are queued (never for an unbounded queue).
  [[nodiscard]] bool full() const noexcept { return m_core.full(); }

 private:
  friend class detail::queue_get_operation<T, Storage>;
  friend class detail::queue_put_operation<T, Storage>;
  detail::queue_core m_core;
  Storage m_items;
};

/// A FIFO queue (asyncio.Queue). See `basic_queue`.
template <class T>
using queue = basic_queue<T, detail::fifo_storage<T>>;

/// A queue that gives the smallest item first by `Compare` (asyncio.PriorityQueue; not stable, as
/// heapq: use (priority, sequence) pairs for FIFO among equals). See `basic_queue`.
template <class T, class Compare = std::less<T>>
using priority_queue = basic_queue<T, detail::heap_storage<T, Compare>>;

/// A LIFO queue: the last item put comes out first (asyncio.LifoQueue). See `basic_queue`.
template <class T>
using lifo_queue = basic_queue<T, detail::lifo_storage<T>>;

}  // namespace aio
