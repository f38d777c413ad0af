#pragma once
/// @file callback.hpp
/// A heap-allocated callback on the ready queue (call_soon, call_later, done callbacks).
/// Reference counted so that a `timer_handle` can outlive the run of its callback.

#include <cstdint>
#include <utility>

#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"

namespace aio::detail {

class callback_item : public ready_link, public timer_node {
 public:
  callback_item() = default;
  callback_item(const callback_item&) = delete;
  callback_item& operator=(const callback_item&) = delete;
  virtual ~callback_item() = default;
  /// Runs the callback unless it was cancelled.
  virtual void invoke() = 0;

  void add_ref() noexcept { ++m_refs; }
  void release() noexcept {
    if (--m_refs == 0) delete this;
  }
  bool m_cancelled = false;
  bool m_queued = false;  ///< used by items that must not be queued twice (fd watches)

 private:
  std::uint32_t m_refs = 1;
};

template <class F>
class callback_fn final : public callback_item {
 public:
  explicit callback_fn(F&& fn) : m_fn(std::move(fn)) {}
  void invoke() override { m_fn(); }

 private:
  F m_fn;
};

template <class F>
callback_item* make_callback(F&& fn) {
  return new callback_fn<std::decay_t<F>>(std::decay_t<F>(std::forward<F>(fn)));
}

}  // namespace aio::detail
