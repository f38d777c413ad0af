#pragma once
/// @file result.hpp
/// `aio::result<T>`: a value or the exception that took its place (what
/// `gather(aio::return_exceptions, ...)` yields for each child).

#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace aio {

/// The outcome of one child of `gather(aio::return_exceptions, ...)`: its value, or its failure (a
/// cancelled child holds an `aio::cancelled_error`). A `void` child's value is `std::monostate`.
/// @par Errors
/// `value()` rethrows the stored exception; constructing from a null `std::exception_ptr` throws
/// `std::invalid_argument`.
/// @par Thread safety
/// A plain value type: as thread-safe as `T`.
/// @par Example
/// @code
/// auto [a, b] = co_await aio::gather(aio::return_exceptions, fetch(1), fetch(2));
/// if (a.has_value()) use(a.value()); else log(a.error());
/// @endcode
template <class T>
class result {
  static_assert(!std::is_reference_v<T> && !std::is_void_v<T>,
                "aio::result<T> holds a value: use std::monostate for void");

 public:
  using value_type = T;

  /// A result holding `v`.
  result(T v) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT(google-explicit-constructor)
      : m_state(std::in_place_index<0>, std::move(v)) {}
  /// A result holding the failure `e` (non-null).
  explicit result(std::exception_ptr e) : m_state(std::in_place_index<1>, std::move(e)) {
    if (!std::get<1>(m_state))
      throw std::invalid_argument("aio::result: a null exception_ptr is not an error");
  }

  /// True when a value is held.
  [[nodiscard]] bool has_value() const noexcept { return m_state.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; rethrows the stored exception when there is none.
  [[nodiscard]] T& value() & {
    rethrow_if_error();
    return std::get<0>(m_state);
  }
  [[nodiscard]] const T& value() const& {
    rethrow_if_error();
    return std::get<0>(m_state);
  }
  [[nodiscard]] T&& value() && {
    rethrow_if_error();
    return std::get<0>(std::move(m_state));
  }

  /// The failure, or a null `std::exception_ptr` when a value is held.
  [[nodiscard]] std::exception_ptr error() const noexcept {
    return m_state.index() == 1 ? std::get<1>(m_state) : std::exception_ptr();
  }

 private:
  void rethrow_if_error() const {
    if (m_state.index() == 1) std::rethrow_exception(std::get<1>(m_state));
  }
  std::variant<T, std::exception_ptr> m_state;
};

}  // namespace aio
