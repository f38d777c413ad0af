#pragma once
/// @file queue_storage.hpp
/// The three orders of aio's queues, as storage policies of `aio::basic_queue`: FIFO, LIFO, and a
/// binary heap that gives the smallest item first (Python's heapq). A policy has `push(T&&)`,
/// `pop() -> T` (precondition: not empty) and `clear()`.

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

namespace aio::detail {

/// First in, first out (asyncio.Queue).
template <class T>
class fifo_storage {
 public:
  void push(T&& v) { m_items.push_back(std::move(v)); }
  T pop() {
    T v = std::move(m_items.front());
    m_items.pop_front();
    return v;
  }
  void clear() noexcept { m_items.clear(); }

 private:
  std::deque<T> m_items;
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
