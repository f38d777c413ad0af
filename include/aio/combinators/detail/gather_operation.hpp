#pragma once
/// @file gather_operation.hpp
/// The awaiters of `aio::gather`: an untyped core (src/combinators/gather.cpp) that follows the
/// children, and two typed shells (a tuple for arguments, a vector for a range).
///
/// Design note (asyncio's `_GatheringFuture`):
/// - One `gather_slot` per child: the child's task (a counted reference) and a wait node on it. The
///   nodes are registered when gather() is called, so completions are seen in the order they happen.
/// - The outcome is decided once: the first failure (without return_exceptions), or every child done.
///   After that, later failures are marked retrieved (asyncio calls `fut.exception()` on them).
/// - Cancelling the awaiting task cancels every unfinished child; if any accepted, the gather ends with
///   `cancelled_error` once the children let it (asyncio's `_cancel_requested`, bpo-32684).
/// - Borrowed children (awaiters living in the caller's frame) must be finished before the awaiter
///   resumes: on an early outcome they are cancelled, and the resumption waits for them.
/// - The slots live in the gather object (tuple) or in one array (range): no allocation per child
///   beyond the child's own task.

#include <array>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <ranges>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "aio/combinators/detail/awaitable.hpp"
#include "aio/combinators/result.hpp"
#include "aio/detail/task_header.hpp"

namespace aio::detail {

class gather_core;

/// One child of a gather: lives in the gather object.
struct gather_slot : wait_node {
  gather_core* m_core = nullptr;
  task_header* m_task = nullptr;  ///< counted reference
  bool m_borrowed = false;
  bool m_linked = false;
  bool m_finished = false;
};

/// Follows the children of one gather and parks the awaiting task.
class gather_core : public suspension {
 public:
  explicit gather_core(bool return_exceptions) noexcept;
  gather_core(const gather_core&) = delete;
  gather_core& operator=(const gather_core&) = delete;
  ~gather_core();

  /// Gives the core its slots (before they are filled).
  void bind(gather_slot* slots, std::size_t n) noexcept {
    m_slots = slots;
    m_n = n;
  }
  /// Starts following the children; call once every slot holds its task.
  void attach() noexcept;

  [[nodiscard]] bool ready() const noexcept { return m_decided && m_borrowed_running == 0; }
  bool suspend(std::coroutine_handle<> h);
  /// Delivers a pending cancel, then rethrows the outcome's failure; returns when results are due.
  void resume();
  /// True when the outcome is known (for tests of eagerness).
  [[nodiscard]] bool decided() const noexcept { return m_decided; }

 private:
  static void on_child_done(wait_node* n) noexcept;
  static bool on_cancel(suspension* s, const std::string& msg);
  void child_done(gather_slot& s) noexcept;
  void decide(gather_slot* failed) noexcept;
  bool cancel_children(const std::string& msg);
  void maybe_wake() noexcept;

  gather_slot* m_slots = nullptr;
  std::size_t m_n = 0;
  std::size_t m_finished = 0;
  std::size_t m_borrowed_running = 0;
  task_header* m_self = nullptr;
  gather_slot* m_failed = nullptr;  ///< the child whose failure is the outcome
  std::string m_cancel_message;
  bool m_return_exceptions;
  bool m_cancel_requested = false;
  bool m_decided = false;
  bool m_waiting = false;
};

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
    m_core.bind(m_slots.data(), sizeof...(Args));
    std::size_t i = 0;
    (fill(m_slots[i++], static_cast<Args&&>(args)), ...);  // left to right
    m_core.attach();
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
  static void fill(gather_slot& slot, A&& a) {
    const spawned s = spawn_child(static_cast<A&&>(a));
    slot.m_task = s.task;
    slot.m_borrowed = s.borrowed;
  }
  template <std::size_t... I>
  result_type collect(std::index_sequence<I...> /*unused*/) {
    return result_type(gather_element<child_traits_t<Args>, ReturnExceptions>(m_slots[I].m_task)...);
  }

  std::array<gather_slot, sizeof...(Args)> m_slots{};
  gather_core m_core;  // after the slots: destroyed first
};

/// `co_await gather(range)`: yields a vector in range order.
template <bool ReturnExceptions, class Traits>
class gather_range_operation {
 public:
  using result_type = std::vector<gather_element_t<Traits, ReturnExceptions>>;

  /// The tag keeps this forwarding constructor from competing with the (deleted) copy and move.
  template <class R>
  gather_range_operation(std::in_place_t /*tag*/, R&& range) : m_core(ReturnExceptions) {
    if constexpr (std::ranges::sized_range<R>) {
      // One array of slots, filled in place: the core releases what was filled if a spawn throws.
      const auto n = static_cast<std::size_t>(std::ranges::size(range));
      if (n != 0) m_slots = std::make_unique<gather_slot[]>(n);
      m_core.bind(m_slots.get(), n);
      for (auto&& e : range) {
        if (m_n == n) break;
        const spawned s = spawn_element(static_cast<decltype(e)&&>(e));
        m_slots[m_n].m_task = s.task;
        ++m_n;
      }
      m_core.bind(m_slots.get(), m_n);
    } else {
      std::vector<spawned> children;
      try {
        for (auto&& e : range) children.push_back(spawn_element(static_cast<decltype(e)&&>(e)));
      } catch (...) {
        for (auto& c : children) c.task->release();
        throw;
      }
      if (!children.empty()) m_slots = std::make_unique<gather_slot[]>(children.size());
      for (std::size_t i = 0; i < children.size(); ++i) m_slots[i].m_task = children[i].task;
      m_n = children.size();
      m_core.bind(m_slots.get(), m_n);
    }
    m_core.attach();
  }
  gather_range_operation(const gather_range_operation&) = delete;
  gather_range_operation& operator=(const gather_range_operation&) = delete;

  [[nodiscard]] bool await_ready() const noexcept { return m_core.ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return m_core.suspend(h); }
  result_type await_resume() {
    m_core.resume();
    result_type out;
    out.reserve(m_n);
    for (std::size_t i = 0; i < m_n; ++i)
      out.push_back(gather_element<Traits, ReturnExceptions>(m_slots[i].m_task));
    return out;
  }

 private:
  std::unique_ptr<gather_slot[]> m_slots;
  std::size_t m_n = 0;
  gather_core m_core;  // after the slots: destroyed first
};

}  // namespace aio::detail
