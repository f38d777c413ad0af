#pragma once
/// @file optional_arg.hpp
/// `aio::optional_arg<T>`: an optional value held by an options struct that users write braced inside
/// `co_await` (`co_await aio::open_connection(h, p, {.ssl = ctx})`), safe with g++ 12.

#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace aio {

/// An optional `T` for a member of an aio options struct: `std::optional<T>`'s interface (`if (o.x)`,
/// `*o.x`, `o.x->f()`, `o.x = value`, `o.x = std::nullopt`), plus immunity to g++ 12's byte copies of
/// a braced aggregate's members inside `co_await` (docs/design/compilers.md, Bug 1).
///
/// It records its own address when a constructor builds it; a byte copy made without a constructor
/// finds another address there, knows it shares the original's value, and neither destroys nor moves
/// from it (the original, destroyed at the end of the full expression, does that). Every other copy and
/// move is an ordinary one.
/// @par Thread safety
/// As `T`.
template <class T>
class optional_arg {
 public:
  using value_type = T;

  optional_arg() noexcept : m_self(this) {}
  optional_arg(std::nullopt_t) noexcept : m_self(this) {}  // NOLINT(google-explicit-constructor)
  // Implicit (`.ssl = ctx` is the point); constrained so it never hides the copy and move constructors.
  template <class U = T>
  requires(!std::is_same_v<std::remove_cvref_t<U>, optional_arg> &&
           !std::is_same_v<std::remove_cvref_t<U>, std::nullopt_t> && std::is_constructible_v<T, U&&>)
      optional_arg(U&& v)  // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
      : m_self(this) {
    emplace(std::forward<U>(v));
  }
  optional_arg(const std::optional<T>& o) : m_self(this) {  // NOLINT(google-explicit-constructor)
    if (o) emplace(*o);
  }
  optional_arg(const optional_arg& o) : m_self(this) {
    if (o.has_value()) emplace(*o);
  }
  optional_arg(optional_arg&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : m_self(this) {
    if (o.has_value()) o.is_original() ? emplace(std::move(*o.ptr())) : emplace(*o);
  }
  optional_arg& operator=(const optional_arg& o) {
    if (this != &o) o.has_value() ? assign(*o) : reset();
    return *this;
  }
  optional_arg& operator=(optional_arg&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this == &o) return *this;
    if (!o.has_value()) {
      reset();
    } else if (o.is_original()) {
      assign(std::move(*o.ptr()));
    } else {
      assign(*o);
    }
    return *this;
  }
  optional_arg& operator=(std::nullopt_t) noexcept {
    reset();
    return *this;
  }
  template <class U = T>
  requires(!std::is_same_v<std::remove_cvref_t<U>, optional_arg> &&
           !std::is_same_v<std::remove_cvref_t<U>, std::nullopt_t> &&
           std::is_constructible_v<T, U&&>) optional_arg&
  operator=(U&& v) {
    assign(std::forward<U>(v));
    return *this;
  }
  ~optional_arg() {
    if (is_original()) reset();
  }

  [[nodiscard]] bool has_value() const noexcept { return m_has; }
  explicit operator bool() const noexcept { return m_has; }
  [[nodiscard]] const T& operator*() const noexcept { return *ptr(); }
  [[nodiscard]] const T* operator->() const noexcept { return ptr(); }
  /// The value; `std::bad_optional_access` when there is none.
  [[nodiscard]] const T& value() const {
    if (!m_has) throw std::bad_optional_access();
    return *ptr();
  }
  /// The value, or `fallback` when there is none.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const {
    return m_has ? *ptr() : static_cast<T>(std::forward<U>(fallback));
  }
  template <class... A>
  T& emplace(A&&... args) {
    reset();
    ::new (static_cast<void*>(m_storage)) T(std::forward<A>(args)...);
    m_has = true;
    return *ptr();
  }
  void reset() noexcept {
    // A byte copy forgets the value it shows without destroying it; from then on it is an original.
    if (m_has && is_original()) ptr()->~T();
    m_has = false;
    m_self = this;
  }

 private:
  // False only for a byte copy made without a constructor (see the class comment).
  [[nodiscard]] bool is_original() const noexcept { return m_self == this; }
  [[nodiscard]] const T* ptr() const noexcept { return std::launder(reinterpret_cast<const T*>(m_storage)); }
  [[nodiscard]] T* ptr() noexcept { return std::launder(reinterpret_cast<T*>(m_storage)); }
  template <class U>
  void assign(U&& v) {
    if (m_has && is_original()) {
      *ptr() = std::forward<U>(v);
    } else {
      emplace(std::forward<U>(v));
    }
  }

  alignas(T) unsigned char m_storage[sizeof(T)];
  bool m_has = false;
  const optional_arg* m_self;
};

}  // namespace aio
