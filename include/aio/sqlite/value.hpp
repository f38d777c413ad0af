#pragma once
/// @file value.hpp
/// `aio::sqlite::value`: one SQLite value (NULL, INTEGER, REAL, TEXT or BLOB), as a parameter or in a row.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace aio::sqlite {

/// The bytes of a BLOB.
using blob = std::vector<std::byte>;

/// SQLite's five storage classes.
// g++ 12's -Wshadow reports `blob` as shadowing the alias above, although a scoped enumerator hides
// nothing (it is only ever named value_type::blob): silenced here so that users' -Wshadow stays quiet.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
enum class value_type { null, integer, real, text, blob };
#pragma GCC diagnostic pop

/// The name of `t` ("NULL", "INTEGER", ...), for messages.
const char* to_string(value_type t) noexcept;

namespace detail {
/// Throws `type_error`: a `have` value was read as `want`.
[[noreturn]] void throw_mismatch(value_type have, const char* want);
/// Throws `type_error`: `v` does not fit the integer type `want`.
[[noreturn]] void throw_out_of_range(const std::string& v, const char* want);
}  // namespace detail

/// One value. Built from a parameter (integers, bool, floating point, strings, `blob`, `nullptr`,
/// `std::nullopt`, `std::optional<T>`) or read from a row; `get<T>()` reads it back.
class value {
 public:
  value() = default;  ///< NULL
  value(std::nullptr_t) noexcept {}
  value(std::nullopt_t) noexcept {}
  value(bool b) noexcept : m_v(std::int64_t{b ? 1 : 0}) {}
  template <std::integral I>
  requires(!std::same_as<I, bool>) value(I i) : m_v(checked(i)) {}
  template <std::floating_point F>
  value(F f) noexcept : m_v(static_cast<double>(f)) {}
  value(std::string s) noexcept : m_v(std::move(s)) {}
  value(std::string_view s) : m_v(std::string(s)) {}
  value(const char* s) : m_v(std::string(s)) {}
  value(blob b) noexcept : m_v(std::move(b)) {}
  value(std::span<const std::byte> b) : m_v(blob(b.begin(), b.end())) {}
  template <class T>
  requires std::constructible_from<value, T> value(const std::optional<T>& o) {
    if (o) *this = value(*o);
  }

  [[nodiscard]] value_type type() const noexcept { return static_cast<value_type>(m_v.index()); }
  [[nodiscard]] bool is_null() const noexcept { return m_v.index() == 0; }

  /// The value as `T`: an integer type (range-checked), `bool`, `double`/`float` (an INTEGER converts),
  /// `std::string`, `std::string_view` (valid while the value lives), `blob`, or `std::optional` of
  /// one of them (NULL gives `std::nullopt`).
  /// @par Errors
  /// `type_error` naming both types when the value holds something else (NULL included, unless
  /// `T` is a `std::optional`), or when an integer does not fit `T`.
  template <class T>
  [[nodiscard]] T get() const {
    if constexpr (is_optional<T>::value) {
      if (is_null()) return std::nullopt;
      return get<typename T::value_type>();
    } else if constexpr (std::same_as<T, bool>) {
      return integer("bool") != 0;
    } else if constexpr (std::integral<T>) {
      std::int64_t i = integer("an integer");
      if (!std::in_range<T>(i)) detail::throw_out_of_range(std::to_string(i), "the requested integer type");
      return static_cast<T>(i);
    } else if constexpr (std::floating_point<T>) {
      if (const auto* i = std::get_if<std::int64_t>(&m_v)) return static_cast<T>(*i);
      if (const auto* d = std::get_if<double>(&m_v)) return static_cast<T>(*d);
      detail::throw_mismatch(type(), "a floating-point number");
    } else if constexpr (std::same_as<T, std::string> || std::same_as<T, std::string_view>) {
      if (const auto* s = std::get_if<std::string>(&m_v)) return T(*s);
      detail::throw_mismatch(type(), "a string");
    } else if constexpr (std::same_as<T, blob>) {
      if (const auto* b = std::get_if<blob>(&m_v)) return *b;
      detail::throw_mismatch(type(), "a blob");
    } else {
      static_assert(sizeof(T) == 0, "aio::sqlite::value::get<T>: unsupported T");
    }
  }

  /// A pointer to the stored `std::int64_t`, `double`, `std::string` or `blob`, or nullptr when the
  /// value holds another type (no conversion, no copy).
  template <class T>
  [[nodiscard]] const T* get_if() const noexcept {
    return std::get_if<T>(&m_v);
  }

  friend bool operator==(const value&, const value&) = default;

 private:
  template <class T>
  struct is_optional : std::false_type {};
  template <class T>
  struct is_optional<std::optional<T>> : std::true_type {};

  template <class I>
  static std::int64_t checked(I i) {
    if (!std::in_range<std::int64_t>(i)) {
      detail::throw_out_of_range(std::to_string(i), "SQLite's 64-bit INTEGER");
    }
    return static_cast<std::int64_t>(i);
  }
  [[nodiscard]] std::int64_t integer(const char* want) const {
    if (const auto* i = std::get_if<std::int64_t>(&m_v)) return *i;
    detail::throw_mismatch(type(), want);
  }

  // The index order is value_type's.
  std::variant<std::monostate, std::int64_t, double, std::string, blob> m_v;
};

}  // namespace aio::sqlite
