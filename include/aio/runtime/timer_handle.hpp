#pragma once
/// @file timer_handle.hpp
/// `aio::timer_handle`: what `call_soon`, `call_later` and `call_at` return (asyncio's TimerHandle).

#include <utility>

#include "aio/detail/callback.hpp"

namespace aio {

class event_loop;

/// Lets a scheduled callback be cancelled. Copyable; cancelling after the callback ran does nothing.
/// @par Thread safety
/// Use on the loop's thread only.
class timer_handle {
 public:
  timer_handle() = default;
  timer_handle(event_loop* loop, detail::callback_item* item) noexcept : m_loop(loop), m_item(item) {
    m_item->add_ref();
  }
  timer_handle(const timer_handle& o) noexcept : m_loop(o.m_loop), m_item(o.m_item) {
    if (m_item != nullptr) m_item->add_ref();
  }
  timer_handle(timer_handle&& o) noexcept : m_loop(o.m_loop), m_item(std::exchange(o.m_item, nullptr)) {}
  timer_handle& operator=(timer_handle o) noexcept {
    std::swap(m_loop, o.m_loop);
    std::swap(m_item, o.m_item);
    return *this;
  }
  ~timer_handle() {
    if (m_item != nullptr) m_item->release();
  }
  /// Prevents the callback from running (if it has not run yet).
  void cancel() noexcept;
  [[nodiscard]] bool cancelled() const noexcept { return m_item != nullptr && m_item->m_cancelled; }

 private:
  event_loop* m_loop = nullptr;
  detail::callback_item* m_item = nullptr;
};

}  // namespace aio
