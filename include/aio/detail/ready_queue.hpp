#pragma once
/// @file ready_queue.hpp
/// The loop's FIFO of runnable work: task steps and callbacks, linked through the items themselves
/// (no allocation to enqueue). Each link is tagged with the kind of item it points to.

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "aio/detail/task_header.hpp"

namespace aio::detail {

enum class ready_kind : std::uintptr_t { task = 0, callback = 1 };

class ready_queue {
 public:
  void push(ready_link* item, ready_kind kind) noexcept {
    assert((reinterpret_cast<std::uintptr_t>(item) & 1U) == 0);
    const auto tagged = reinterpret_cast<std::uintptr_t>(item) | static_cast<std::uintptr_t>(kind);
    item->m_next = 0;
    if (m_tail != nullptr) {
      m_tail->m_next = tagged;
    } else {
      m_head = tagged;
    }
    m_tail = item;
    ++m_size;
  }
  /// Pops the front item; `kind` receives its kind. Precondition: not empty.
  ready_link* pop(ready_kind& kind) noexcept {
    const std::uintptr_t tagged = m_head;
    assert(tagged != 0 && "pop() on an empty ready queue");
    // Tagged pointer: the low bit is the kind (items are at least 2-aligned).
    auto* item =
        reinterpret_cast<ready_link*>(tagged & ~std::uintptr_t{1});  // NOLINT(performance-no-int-to-ptr)
    kind = static_cast<ready_kind>(tagged & 1U);
    m_head = item->m_next;  // NOLINT(clang-analyzer-core.NullDereference): checked above
    if (m_head == 0) m_tail = nullptr;
    --m_size;
    return item;
  }
  [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return m_size; }

 private:
  std::uintptr_t m_head = 0;
  ready_link* m_tail = nullptr;
  std::size_t m_size = 0;
};

}  // namespace aio::detail
