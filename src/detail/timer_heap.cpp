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

timer_heap::due timer_heap::pop() noexcept {
  const std::uintptr_t target = m_entries.front().target;
  if ((target & k_task_tag) != 0) {
    auto* t = reinterpret_cast<task_header*>(target & ~k_task_tag);  // NOLINT(performance-no-int-to-ptr)
    remove(t);
    return {nullptr, t};
  }
  auto* n = reinterpret_cast<timer_node*>(target);  // NOLINT(performance-no-int-to-ptr)
  remove(n);
  return {n, nullptr};
}

void timer_heap::erase(std::size_t i) noexcept {
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
