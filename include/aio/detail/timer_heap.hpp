#pragma once
/// @file timer_heap.hpp
/// Binary min-heap of deadlines. Entries keep the deadline and a sequence number inline so that
/// sifting never touches the nodes' memory except to record their slot (needed for O(log n) cancel).
/// Equal deadlines fire in insertion order (the sequence number breaks ties).

#include <cstddef>
#include <cstdint>
#include <vector>

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
  void push(timer_node* n, clock::time_point when) {
    m_entries.push_back(entry{when, m_seq++, n});
    sift_up(m_entries.size() - 1);
  }
  void remove(timer_node* n) noexcept;
  [[nodiscard]] bool empty() const noexcept { return m_entries.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }
  [[nodiscard]] clock::time_point next_deadline() const noexcept { return m_entries.front().when; }
  /// Pops the earliest node. Precondition: not empty.
  timer_node* pop() noexcept;

 private:
  struct entry {
    clock::time_point when;
    std::uint64_t seq;
    timer_node* node;
    [[nodiscard]] bool before(const entry& o) const noexcept {
      return when < o.when || (when == o.when && seq < o.seq);
    }
  };
  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;
  void place(std::size_t i, const entry& e) noexcept {
    m_entries[i] = e;
    e.node->m_heap_index = i;
  }

  std::vector<entry> m_entries;
  std::uint64_t m_seq = 0;
};

}  // namespace aio::detail
