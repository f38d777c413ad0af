#include "aio/detail/timer_heap.hpp"

namespace aio::detail {

void timer_heap::sift_up(std::size_t i) noexcept {
  const entry e = m_entries[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!e.before(m_entries[parent])) break;
    place(i, m_entries[parent]);
    i = parent;
  }
  place(i, e);
}

void timer_heap::sift_down(std::size_t i) noexcept {
  const entry e = m_entries[i];
  const std::size_t n = m_entries.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && m_entries[child + 1].before(m_entries[child])) ++child;
    if (!m_entries[child].before(e)) break;
    place(i, m_entries[child]);
    i = child;
  }
  place(i, e);
}

timer_node* timer_heap::pop() noexcept {
  timer_node* n = m_entries.front().node;
  remove(n);
  return n;
}

void timer_heap::remove(timer_node* n) noexcept {
  const std::size_t i = n->m_heap_index;
  n->m_heap_index = timer_node::npos;
  const std::size_t last = m_entries.size() - 1;
  if (i != last) {
    const entry moved = m_entries[last];
    m_entries.pop_back();
    place(i, moved);
    if (i > 0 && moved.before(m_entries[(i - 1) / 2])) {
      sift_up(i);
    } else {
      sift_down(i);
    }
  } else {
    m_entries.pop_back();
  }
}

}  // namespace aio::detail
