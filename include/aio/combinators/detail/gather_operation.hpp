#pragma once
/// @file gather_operation.hpp
/// The awaiters of `aio::gather`: an untyped core (src/combinators/gather.cpp) that follows the
/// children, and two typed shells (a tuple for arguments, a vector for a range).
///
/// Design note (asyncio's `_GatheringFuture`):
/// - The core follows its children from the call, so completions are seen in the order they happen.
///   It is a `group_waiter`: on a child that nobody else waits for (the usual case) it joins the
///   task's waiter list as the tagged end word, with no node of its own, and the child's `finish()`
///   tells it which task ended. A child that already has a waiter (awaited elsewhere too, or given
///   twice) gets a heap node instead. A group joins only an empty list, so it is told first, which
///   is the order it began waiting in; nodes added after it are woken after it.
/// - Per child the gather keeps one word, the task pointer: in an array (`task_header*`, not zeroed
///   first) or, for an rvalue `std::vector` of handles, in that vector itself, moved into the gather
///   (its handles hold the references; no per-child allocation at all). The core reads them through
///   `task_at`. A tuple keeps a flag per child for borrowed awaiters.
/// - The outcome is decided once: the first failure (without return_exceptions), or every child done.
///   After that, later failures are marked retrieved (asyncio calls `fut.exception()` on them).
/// - Cancelling the awaiting task cancels every unfinished child; if any accepted, the gather ends with
///   `cancelled_error` once the children let it (asyncio's `_cancel_requested`, bpo-32684).
/// - Borrowed children (awaiters living in the caller's frame) must be finished before the awaiter
///   resumes: on an early outcome they are cancelled, and the resumption waits for them.
/// - A range's results are read in one pass that also drops each child's reference, so a frame is
///   touched twice in all (follow, collect) and freed as soon as its value is out.
/// - Why (issue 15, bench/RESULTS.md): with 10^6 children, a 48-byte slot holding a wait node cost
///   56 bytes and 47-51 % more CPU per child than awaiting the tasks one by one, nearly all of it page
///   faults on fresh memory (bytes are time on the VM). Now a child costs its pointer (8 bytes) and
///   its result, and only its result when the tasks come as an rvalue vector: 8 bytes and 7-8 % more
///   CPU for `gather(std::move(tasks))` over `task<long>`, with g++ and clang++ alike. Zeroing was
///   not the cost (default-initialised 48-byte slots measured the same).

#include <array>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/combinators/result.hpp"
#include "aio/detail/task_header.hpp"

namespace aio::detail {

/// Reads the task of child `i` of the shell's storage.
using gather_task_at = task_header* (*)(const void* children, std::size_t i) noexcept;

/// Follows the children of one gather and parks the awaiting task.
class gather_core : public suspension, public group_waiter {
 public:
  explicit gather_core(bool return_exceptions) noexcept;
  gather_core(const gather_core&) = delete;
  gather_core& operator=(const gather_core&) = delete;
  ~gather_core();

  /// Gives the core its children: `n` of them in `children`, read with `at`. With `owns`, each holds
  /// a counted reference the core releases when it goes (unless `collected()`); a null task is skipped
  /// there. `borrowed` (tuples only) flags the children that borrow from the caller's frame.
  void bind(const void* children, gather_task_at at, std::size_t n, bool owns,
            const bool* borrowed = nullptr) noexcept {
    m_children = children;
    m_task_at = at;
    m_n = n;
    m_owns = owns;
    m_borrowed = borrowed;
  }
  /// Starts following the children; `borrowed` of them borrow from the caller's frame. Throws only
  /// `std::bad_alloc` (a child that already had a waiter needs a node).
  void attach(std::size_t borrowed);

  [[nodiscard]] bool ready() const noexcept { return m_decided && m_borrowed_running == 0; }
  bool suspend(std::coroutine_handle<> h);
  /// Delivers a pending cancel, then rethrows the outcome's failure; returns when results are due.
  void resume();
  /// True when the outcome is known (for tests of eagerness).
  [[nodiscard]] bool decided() const noexcept { return m_decided; }
  /// The shell has read every child and dropped its reference (after a successful `resume()`).
  void collected() noexcept { m_n = 0; }
  /// The task awaiting the gather that follows a child through `g` or `n` (nullptr if `g` or `n` is
  /// not a gather's, or the gather is not awaited yet): await graphs, include/aio/debug/call_graph.hpp.
  static task_header* awaiting_task(const group_waiter* g) noexcept;
  static task_header* awaiting_task(const wait_node* n) noexcept;

  /// `gather_task_at` for an array of `task_header*`.
  static task_header* array_task_at(const void* children, std::size_t i) noexcept {
    return static_cast<task_header* const*>(children)[i];
  }

 private:
  /// A child whose task already had a waiter when the gather began (a second awaiter, or the same
  /// task twice): followed with a node of its own. Rare, so allocated one by one.
  struct node : wait_node {
    gather_core* m_core = nullptr;
    task_header* m_task = nullptr;
    node* m_older = nullptr;  ///< the core's list of nodes
    bool m_linked = false;
  };

  [[nodiscard]] task_header* task(std::size_t i) const noexcept { return m_task_at(m_children, i); }
  static void on_group_done(group_waiter* g, task_header* t) noexcept;
  static void on_node_done(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  void child_done(task_header* t) noexcept;
  [[nodiscard]] bool is_borrowed(const task_header* t) const noexcept;
  void decide(task_header* failed) noexcept;
  bool cancel_children(const std::string& msg);
  void maybe_wake() noexcept;

  const void* m_children = nullptr;
  gather_task_at m_task_at = &array_task_at;
  const bool* m_borrowed = nullptr;
  std::size_t m_n = 0;
  std::size_t m_finished = 0;
  std::size_t m_borrowed_running = 0;
  node* m_nodes = nullptr;
  task_header* m_self = nullptr;
  task_header* m_failed = nullptr;  ///< the child whose failure is the outcome
  std::string m_cancel_message;
  bool m_return_exceptions;
  bool m_owns = true;
  bool m_cancel_requested = false;
  bool m_decided = false;
  bool m_waiting = false;
};

/// The vector of handles a range gather takes over: an rvalue `std::vector` of tasks or futures.
template <class R>
struct gather_adopted {
  using type = void;
};
template <class H, class A>
requires is_handle_v<H>
struct gather_adopted<std::vector<H, A>> {
  using type = std::vector<H, A>;
};
/// `std::vector<H, A>` for an rvalue vector of handles (`R` as a forwarding reference deduces it),
/// else void: other ranges are shared or consumed element by element.
template <class R>
using gather_adopted_t = typename gather_adopted<R>::type;

/// An empty member in place of the adopted vector.
struct gather_no_adopted {};

/// One element of a gather's result: the value, or `result<value>` with return_exceptions.
template <class Traits, bool ReturnExceptions>
auto gather_element(task_header* t) {
  using V = typename Traits::value_type;
  if constexpr (ReturnExceptions) {
    if (t->has(task_header::flag_error)) {
      if (!t->has(task_header::flag_cancelled)) t->set(task_header::flag_retrieved);
      return result<V>(t->error());
    }
    return result<V>(child_value<Traits>(t));
  } else {
    return child_value<Traits>(t);
  }
}

template <class Traits, bool ReturnExceptions>
using gather_element_t = decltype(gather_element<Traits, ReturnExceptions>(nullptr));

/// `co_await gather(a, b, ...)`: yields a tuple in argument order.
template <bool ReturnExceptions, class... Args>
class gather_tuple_operation {
 public:
  using result_type = std::tuple<gather_element_t<child_traits_t<Args>, ReturnExceptions>...>;

  explicit gather_tuple_operation(Args&&... args) : m_core(ReturnExceptions) {
    // The core releases what was filled if a spawn throws (the other tasks are nullptr).
    m_core.bind(m_tasks.data(), &gather_core::array_task_at, sizeof...(Args), true, m_borrowed.data());
    std::size_t i = 0;
    std::size_t borrowed = 0;
    (fill(i++, borrowed, static_cast<Args&&>(args)), ...);  // left to right
    m_core.attach(borrowed);
  }
  gather_tuple_operation(const gather_tuple_operation&) = delete;
  gather_tuple_operation& operator=(const gather_tuple_operation&) = delete;

  [[nodiscard]] bool await_ready() const noexcept { return m_core.ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return m_core.suspend(h); }
  result_type await_resume() {
    m_core.resume();
    return collect(std::index_sequence_for<Args...>{});
  }

 private:
  template <class A>
  void fill(std::size_t i, std::size_t& borrowed, A&& a) {
    const spawned s = spawn_child(static_cast<A&&>(a));
    m_tasks[i] = s.task;
    m_borrowed[i] = s.borrowed;
    if (s.borrowed) ++borrowed;
  }
  template <std::size_t... I>
  result_type collect(std::index_sequence<I...> /*unused*/) {
    return result_type(gather_element<child_traits_t<Args>, ReturnExceptions>(m_tasks[I])...);
  }

  std::array<task_header*, sizeof...(Args)> m_tasks{};
  std::array<bool, sizeof...(Args)> m_borrowed{};
  gather_core m_core;  // after the children: destroyed first
};

/// `co_await gather(range)`: yields a vector in range order. `Adopted` is the rvalue vector of handles
/// the gather takes over (`gather_adopted_t`), or void.
template <bool ReturnExceptions, class Traits, class Adopted = void>
class gather_range_operation {
  static constexpr bool adopts = !std::is_void_v<Adopted>;

 public:
  using result_type = std::vector<gather_element_t<Traits, ReturnExceptions>>;

  /// The tag keeps this forwarding constructor from competing with the (deleted) copy and move.
  template <class R>
  gather_range_operation(std::in_place_t /*tag*/, R&& range) : m_core(ReturnExceptions) {
    if constexpr (adopts) {
      // An rvalue vector of tasks: keep it, its handles hold the references. Nothing is allocated per
      // child, no frame is touched here, and none again when the caller's (now empty) vector goes.
      for (const auto& h : range) {
        if (!h) throw invalid_state_error("aio: a combinator was given an empty task or future handle");
      }
      m_adopted = static_cast<R&&>(range);  // R is the vector itself: an rvalue
      range.clear();                        // what the caller sees: empty (a moved-from vector need not be)
      m_n = m_adopted.size();
      m_core.bind(m_adopted.data(), &adopted_task_at, m_n, false);
    } else if constexpr (std::ranges::sized_range<R>) {
      // One array of tasks, filled in place: the core releases what was filled if a spawn throws.
      const auto n = static_cast<std::size_t>(std::ranges::size(range));
      if (n != 0) m_tasks = std::make_unique_for_overwrite<task_header*[]>(n);
      try {
        for (auto&& e : range) {
          if (m_n == n) break;
          m_tasks[m_n] = spawn_element(static_cast<decltype(e)&&>(e)).task;
          ++m_n;
        }
      } catch (...) {
        m_core.bind(m_tasks.get(), &gather_core::array_task_at, m_n, true);
        throw;
      }
      m_core.bind(m_tasks.get(), &gather_core::array_task_at, m_n, true);
    } else {
      std::vector<spawned> children;
      try {
        for (auto&& e : range) children.push_back(spawn_element(static_cast<decltype(e)&&>(e)));
      } catch (...) {
        for (auto& c : children) c.task->release();
        throw;
      }
      if (!children.empty()) m_tasks = std::make_unique_for_overwrite<task_header*[]>(children.size());
      for (std::size_t i = 0; i < children.size(); ++i) m_tasks[i] = children[i].task;
      m_n = children.size();
      m_core.bind(m_tasks.get(), &gather_core::array_task_at, m_n, true);
    }
    m_core.attach(0);  // a range's elements are adopted, shared or consumed, never borrowed
  }
  gather_range_operation(const gather_range_operation&) = delete;
  gather_range_operation& operator=(const gather_range_operation&) = delete;

  [[nodiscard]] bool await_ready() const noexcept { return m_core.ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return m_core.suspend(h); }
  result_type await_resume() {
    m_core.resume();
    result_type out;
    out.reserve(m_n);
    // Each child's reference is dropped in the pass that reads its value: the frame is touched once
    // here, and freed at once if nobody else holds it.
    for (std::size_t i = 0; i < m_n; ++i) {
      if constexpr (adopts) {
        out.push_back(gather_element<Traits, ReturnExceptions>(m_adopted[i].header()));
        m_adopted[i] = {};
      } else {
        task_header* t = m_tasks[i];
        out.push_back(gather_element<Traits, ReturnExceptions>(t));
        m_tasks[i] = nullptr;
        t->release();
      }
    }
    m_core.collected();
    return out;
  }

 private:
  static task_header* adopted_task_at(const void* children, std::size_t i) noexcept {
    if constexpr (adopts) {
      return static_cast<const typename Adopted::value_type*>(children)[i].header();
    } else {
      return nullptr;
    }
  }

  [[no_unique_address]] std::conditional_t<adopts, Adopted, gather_no_adopted> m_adopted;
  std::unique_ptr<task_header*[]> m_tasks;
  std::size_t m_n = 0;
  gather_core m_core;  // after the children: destroyed first
};

}  // namespace aio::detail
