#pragma once
/// @file task_handle.hpp
/// `aio::task_handle`: the untyped view of any task (what `current_task()` and `all_tasks()` give).

#include <string>
#include <utility>
#include <vector>

#include "aio/detail/join_operation.hpp"
#include "aio/detail/result_slot.hpp"
#include "aio/detail/task_header.hpp"

namespace aio {

/// A counted reference to a task of any result type.
/// @par Thread safety
/// Use on the loop's thread only.
class task_handle {
 public:
  task_handle() noexcept = default;
  explicit task_handle(detail::task_header* h) noexcept : m_h(h) {
    if (m_h != nullptr) m_h->add_ref();
  }
  task_handle(const task_handle& o) noexcept : task_handle(o.m_h) {}
  task_handle(task_handle&& o) noexcept : m_h(std::exchange(o.m_h, nullptr)) {}
  task_handle& operator=(task_handle o) noexcept {
    std::swap(m_h, o.m_h);
    return *this;
  }
  ~task_handle() {
    if (m_h != nullptr) m_h->release();
  }

  /// False for the empty handle (no task).
  explicit operator bool() const noexcept { return m_h != nullptr; }
  [[nodiscard]] std::string get_name() const { return m_h->name(); }
  void set_name(std::string name) { m_h->set_name(std::move(name)); }
  [[nodiscard]] bool done() const noexcept { return m_h->has(detail::task_header::flag_done); }
  [[nodiscard]] bool cancelled() const noexcept { return m_h->has(detail::task_header::flag_cancelled); }
  /// Requests cancellation; false if the task is already done.
  bool cancel(std::string msg = {}) { return m_h->cancel(std::move(msg)); }
  [[nodiscard]] int cancelling() const noexcept { return m_h->cancelling(); }
  int uncancel() noexcept { return m_h->uncancel(); }
  friend bool operator==(const task_handle& a, const task_handle& b) noexcept { return a.m_h == b.m_h; }

  [[nodiscard]] detail::task_header* header() const noexcept { return m_h; }

  /// Waits for the task; rethrows its failure (or `cancelled_error`), yields nothing.
  /// @par Cancellation
  /// Cancelling the awaiter cancels the awaited task (as asyncio); use `shield` to prevent it.
  struct awaiter : detail::join_operation {
    using detail::join_operation::join_operation;
    void await_resume() const {
      after_resume();
      detail::rethrow_if_error(*m_target);
    }
  };
  awaiter operator co_await() const noexcept { return awaiter(m_h); }

 private:
  detail::task_header* m_h = nullptr;
};

/// The task whose step is running now (empty outside a task).
task_handle current_task() noexcept;
/// Every unfinished task of the running loop.
std::vector<task_handle> all_tasks();

}  // namespace aio
