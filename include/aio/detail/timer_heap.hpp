#pragma once
/// @file timer_heap.hpp
/// Binary min-heap of deadlines. Entries keep the deadline and a sequence number inline so that
/// sifting never touches the nodes' memory except to record their slot (needed for O(log n) cancel).
/// Equal deadlines fire in insertion order (the sequence number breaks ties).
///
/// Two kinds of entries: a `timer_node` (callbacks, timeouts: it has its own `m_fire`), and a sleeping
/// task, which is its own timer (its header keeps the slot), so `sleep()` costs the frame nothing.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "aio/detail/task_header.hpp"
#include "aio/time/clock.hpp"

namespace aio::detail {

/// Something with a deadline. Lives wherever its owner lives (an awaiter in a frame, a timer callback).
struct timer_node {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t m_heap_index = npos;
  /// Called when the deadline passes; it must only enqueue work.
  void (*m_fire)(timer_node*) = nullptr;
  [[nodiscard]] bool armed() const noexcept { return m_heap_index != npos; }
};

class timer_heap {
 public:
  /// What `pop()` returns: exactly one of the two is set.
  struct due {
    timer_node* node;
    task_header* task;
  };

  void push(timer_node* n, clock::time_point when) { push_entry(when, reinterpret_cast<std::uintptr_t>(n)); }
  void push(task_header* t, clock::time_point when) {
    push_entry(when, reinterpret_cast<std::uintptr_t>(t) | k_task_tag);
  }
  void remove(timer_node* n) noexcept {
    const std::size_t i = n->m_heap_index;
    n->m_heap_index = timer_node::npos;
    erase(i);
  }
  void remove(task_header* t) noexcept {
    const std::size_t i = t->m_timer_index;
    t->m_timer_index = UINT32_MAX;
    erase(i);
  }
  [[nodiscard]] bool empty() const noexcept { return m_entries.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }
  [[nodiscard]] clock::time_point next_deadline() const noexcept { return m_entries.front().when; }
  /// Pops the earliest entry (its slot is cleared). Precondition: not empty.
  due pop() noexcept;

 private:
  static constexpr std::uintptr_t k_task_tag = 1;
  struct entry {
    clock::time_point when;
    std::uint64_t seq;
    std::uintptr_t target;  // timer_node*, or task_header* | k_task_tag
    [[nodiscard]] bool before(const entry& o) const noexcept {
      return when < o.when || (when == o.when && seq < o.seq);
    }
  };
  void push_entry(clock::time_point when, std::uintptr_t target) {
    m_entries.push_back(entry{when, m_seq++, target});
    sift_up(m_entries.size() - 1);
  }
  void erase(std::size_t i) noexcept;
  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;
  void place(std::size_t i, const entry& e) noexcept {
    m_entries[i] = e;
    if ((e.target & k_task_tag) != 0) {
      // Tagged pointers: the low bit says which kind of target (both are at least 8-aligned).
      reinterpret_cast<task_header*>(e.target & ~k_task_tag)  // NOLINT(performance-no-int-to-ptr)
          ->m_timer_index = static_cast<std::uint32_t>(i);
    } else {
      reinterpret_cast<timer_node*>(e.target)->m_heap_index = i;  // NOLINT(performance-no-int-to-ptr)
    }
  }

  std::vector<entry> m_entries;
  std::uint64_t m_seq = 0;
};

}  // namespace aio::detail
