#pragma once
/// @file result_slot.hpp
/// Storage for a coroutine's result inside its promise; the header's flags say what it holds.

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "aio/detail/task_header.hpp"
#include "aio/errors.hpp"

namespace aio::detail {

/// The outcome of a finished frame: rethrows its error, or gives its value.
template <class T>
class result_slot {
 public:
  result_slot() noexcept {}  // NOLINT(modernize-use-equals-default): the union member must stay unconstructed
  result_slot(const result_slot&) = delete;
  result_slot& operator=(const result_slot&) = delete;
  ~result_slot() {}  // NOLINT(modernize-use-equals-default): destroyed by destroy_value()

  template <class U>
  void emplace(task_header& h, U&& v) {
    std::construct_at(std::addressof(m_value), std::forward<U>(v));
    h.set(task_header::flag_value);
  }
  void destroy_value(task_header& h) noexcept {
    if (h.has(task_header::flag_value)) {
      std::destroy_at(std::addressof(m_value));
      h.clear(task_header::flag_value);
    }
  }
  [[nodiscard]] T& value() noexcept { return m_value; }

 private:
  union {
    T m_value;
  };
};

template <>
class result_slot<void> {
 public:
  void emplace(task_header& h) noexcept { h.set(task_header::flag_value); }
  void destroy_value(task_header& /*h*/) noexcept {}
};

/// Throws the frame's failure, if any (marking it retrieved).
inline void rethrow_if_error(task_header& h) {
  if (h.has(task_header::flag_error)) {
    h.set(task_header::flag_retrieved);
    std::rethrow_exception(h.m_error);
  }
}

}  // namespace aio::detail
