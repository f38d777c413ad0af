#pragma once
/// @file queue_storage.hpp
/// The three orders of aio's queues, as storage policies of `aio::basic_queue`: FIFO, LIFO, and a
/// binary heap that gives the smallest item first (Python's heapq). A policy has `push(T&&)`,
/// `pop() -> T` (precondition: not empty) and `clear()`.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace aio::detail {

/// First in, first out (asyncio.Queue). A ring buffer that only grows (doubling), so a queue in steady
/// use never allocates: std::deque allocated a block every 512 bytes of traffic, which the
/// no-allocation test (tests/unit/detail/no_allocation_test.cpp) caught.
template <class T>
class fifo_storage {
 public:
  fifo_storage() = default;
  fifo_storage(fifo_storage&& o) noexcept
      : m_buf(std::exchange(o.m_buf, nullptr)),
        m_cap(std::exchange(o.m_cap, 0)),
        m_head(std::exchange(o.m_head, 0)),
        m_size(std::exchange(o.m_size, 0)) {}
  fifo_storage(const fifo_storage&) = delete;
  fifo_storage& operator=(const fifo_storage&) = delete;
  fifo_storage& operator=(fifo_storage&&) = delete;
  ~fifo_storage() {
    clear();
    if (m_buf != nullptr) std::allocator<T>().deallocate(m_buf, m_cap);
  }

  void push(T&& v) {
    if (m_size == m_cap) grow();
    std::construct_at(m_buf + ((m_head + m_size) & (m_cap - 1)), std::move(v));
    ++m_size;
  }
  T pop() {
    T* p = m_buf + m_head;
    T v = std::move(*p);
    std::destroy_at(p);
    m_head = (m_head + 1) & (m_cap - 1);
    --m_size;
    return v;
  }
  void clear() noexcept {
    for (; m_size != 0; --m_size) {
      std::destroy_at(m_buf + m_head);
      m_head = (m_head + 1) & (m_cap - 1);
    }
    m_head = 0;
  }

 private:
  void grow() {
    const std::size_t cap = m_cap != 0 ? m_cap * 2 : 8;  // a power of two: indexes wrap with a mask
    T* buf = std::allocator<T>().allocate(cap);
    std::size_t moved = 0;
    try {
      for (; moved < m_size; ++moved) {
        std::construct_at(buf + moved, std::move_if_noexcept(m_buf[(m_head + moved) & (m_cap - 1)]));
      }
    } catch (...) {
      std::destroy(buf, buf + moved);
      std::allocator<T>().deallocate(buf, cap);
      throw;  // the old buffer is untouched (moves that may throw are copies)
    }
    for (std::size_t i = 0; i < m_size; ++i) std::destroy_at(m_buf + ((m_head + i) & (m_cap - 1)));
    if (m_buf != nullptr) std::allocator<T>().deallocate(m_buf, m_cap);
    m_buf = buf;
    m_cap = cap;
    m_head = 0;
  }

  T* m_buf = nullptr;
  std::size_t m_cap = 0;
  std::size_t m_head = 0;
  std::size_t m_size = 0;
};

/// Last in, first out (asyncio.LifoQueue).
template <class T>
class lifo_storage {
 public:
  void push(T&& v) { m_items.push_back(std::move(v)); }
  T pop() {
    T v = std::move(m_items.back());
    m_items.pop_back();
    return v;
  }
  void clear() noexcept { m_items.clear(); }

 private:
  std::vector<T> m_items;
};

/// Smallest first according to `Compare` (asyncio.PriorityQueue, heapq): not stable, as heapq.
template <class T, class Compare>
class heap_storage {
 public:
  heap_storage() = default;
  /// Implicit, so that `aio::priority_queue<T, C> q(maxsize, C{...})` passes a stateful comparator.
  heap_storage(Compare comp) : m_comp(std::move(comp)) {}  // NOLINT(google-explicit-constructor)
  void push(T&& v) {
    m_items.push_back(std::move(v));
    std::push_heap(m_items.begin(), m_items.end(), greater());
  }
  T pop() {
    std::pop_heap(m_items.begin(), m_items.end(), greater());
    T v = std::move(m_items.back());
    m_items.pop_back();
    return v;
  }
  void clear() noexcept { m_items.clear(); }

 private:
  /// std's heap functions keep the largest on top; reversing the comparison keeps the smallest.
  auto greater() {
    return [this](const T& a, const T& b) { return m_comp(b, a); };
  }
  std::vector<T> m_items;
  [[no_unique_address]] Compare m_comp{};
};

}  // namespace aio::detail
