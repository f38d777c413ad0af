#pragma once
/// @file as_completed_operation.hpp
/// The machinery of `aio::as_completed` (CPython 3.13's `_AsCompletedIterator`), untyped part in
/// src/combinators/as_completed.cpp.
///
/// Design note:
/// - One `as_completed_child` per input (one array): the child's task (counted) and a wait node on it.
///   A finished child joins the `done` FIFO; on timeout every unfinished child is dropped and counts
///   as one pending `timeout_error` (asyncio queues a None per todo item).
/// - Each `co_await next` takes the FIFO's front. A waiter that must park is handed the next child
///   directly (FIFO among waiters); one cancelled after the hand-over but before it ran gives it back
///   to the front of the FIFO (the awaiter protocol's rule 3), so no result is lost.

#include <coroutine>
#include <cstddef>
#include <memory>
#include <string>

#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/time/clock.hpp"

namespace aio::detail {

class as_completed_core;

struct as_completed_child : wait_node {
  as_completed_core* m_core = nullptr;
  task_header* m_task = nullptr;  ///< counted reference
  as_completed_child* m_next_done = nullptr;
  bool m_linked = false;
};

/// What a parked `co_await next` holds: the child handed to it, or a timeout.
class as_completed_waiter : public suspension, public wait_node {
 public:
  as_completed_waiter() noexcept = default;
  as_completed_waiter(const as_completed_waiter&) = delete;
  as_completed_waiter& operator=(const as_completed_waiter&) = delete;
  ~as_completed_waiter();

 protected:
  friend class as_completed_core;
  as_completed_core* m_core = nullptr;
  task_header* m_self = nullptr;
  as_completed_child* m_granted = nullptr;
  bool m_timed_out = false;  ///< granted a timeout
  bool m_linked = false;
};

class as_completed_core : public timer_node {
 public:
  as_completed_core() noexcept;
  as_completed_core(const as_completed_core&) = delete;
  as_completed_core& operator=(const as_completed_core&) = delete;
  ~as_completed_core();

  /// Makes room for `n` children (once); the caller then sets each `child(i).m_task`.
  void allocate(std::size_t n);
  [[nodiscard]] as_completed_child& child(std::size_t i) noexcept { return m_children[i]; }
  [[nodiscard]] std::size_t size() const noexcept { return m_n; }
  /// Starts following the children (once they are set), with an optional deadline.
  void start(bool timed, clock::duration timeout);

  /// The awaiter's steps. `take` gives the next finished child (nullptr: a timeout is due).
  [[nodiscard]] bool available() const noexcept { return m_done_head != nullptr || m_timeouts != 0; }
  bool suspend(as_completed_waiter& w, std::coroutine_handle<> h);
  as_completed_child* take(as_completed_waiter& w);

 private:
  static void on_child_done(wait_node* n) noexcept;
  static void on_fire(timer_node* n) noexcept;
  static void on_waiter_wake(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  void push_done(as_completed_child* c) noexcept;
  void push_front_done(as_completed_child* c) noexcept;
  as_completed_child* pop_done() noexcept;
  void dispatch() noexcept;
  friend class as_completed_waiter;

  std::unique_ptr<as_completed_child[]> m_children;
  std::size_t m_n = 0;
  std::size_t m_unfinished = 0;
  std::size_t m_timeouts = 0;
  std::size_t m_taken = 0;
  as_completed_child* m_done_head = nullptr;
  as_completed_child* m_done_tail = nullptr;
  wait_list m_waiters;
};

}  // namespace aio::detail
