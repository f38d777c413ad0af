#pragma once
/// @file result_slot.hpp
/// Storage for a coroutine's outcome inside its promise: one union of the value and the failure (a
/// frame ends with one or the other), placed right after the header so that untyped code reaches the
/// failure at `k_result_offset`. The header's flags say which member is alive.

#include <exception>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "aio/detail/task_header.hpp"
#include "aio/errors.hpp"

namespace aio::detail {

/// The value and the failure share storage at `k_result_offset`, where untyped code finds the failure.
template <class T>
class result_slot {
  static_assert(alignof(T) <= alignof(std::exception_ptr),
                "aio: a coroutine result type aligned beyond 8 bytes is not supported (wrap it in a "
                "std::unique_ptr)");

 public:
  result_slot() noexcept {}  // NOLINT(modernize-use-equals-default): members start unconstructed
  result_slot(const result_slot&) = delete;
  result_slot& operator=(const result_slot&) = delete;
  ~result_slot() {}  // NOLINT(modernize-use-equals-default): destroyed by destroy()

  template <class U>
  void emplace(task_header& h, U&& v) {
    std::construct_at(std::addressof(m_value), std::forward<U>(v));
    h.set(task_header::flag_value);
  }
  void destroy(task_header& h) noexcept {
    if (h.has(task_header::flag_value)) std::destroy_at(std::addressof(m_value));
    if (h.has(task_header::flag_error)) std::destroy_at(std::addressof(m_error));
    h.clear(static_cast<task_header::flag>(task_header::flag_value | task_header::flag_error));
  }
  [[nodiscard]] T& value() noexcept { return m_value; }

 private:
  union {
    std::exception_ptr m_error;
    T m_value;
  };
};

template <>
class result_slot<void> {
 public:
  result_slot() noexcept {}  // NOLINT(modernize-use-equals-default): the member starts unconstructed
  result_slot(const result_slot&) = delete;
  result_slot& operator=(const result_slot&) = delete;
  ~result_slot() {}  // NOLINT(modernize-use-equals-default): destroyed by destroy()
  void emplace(task_header& h) noexcept { h.set(task_header::flag_value); }
  void destroy(task_header& h) noexcept {
    if (h.has(task_header::flag_error)) std::destroy_at(std::addressof(m_error));
    h.clear(static_cast<task_header::flag>(task_header::flag_value | task_header::flag_error));
  }

 private:
  union {
    std::exception_ptr m_error;
  };
};

inline const std::exception_ptr& task_header::error() const noexcept {
  return *std::launder(
      reinterpret_cast<const std::exception_ptr*>(reinterpret_cast<const char*>(this) + k_result_offset));
}

inline void task_header::set_error(std::exception_ptr e) noexcept {
  std::construct_at(reinterpret_cast<std::exception_ptr*>(reinterpret_cast<char*>(this) + k_result_offset),
                    std::move(e));
  set(flag_error);
}

/// Throws the frame's failure, if any (marking it retrieved).
inline void rethrow_if_error(task_header& h) {
  if (h.has(task_header::flag_error)) {
    h.set(task_header::flag_retrieved);
    std::rethrow_exception(h.error());
  }
}

}  // namespace aio::detail
