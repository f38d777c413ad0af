#pragma once
/// @file gcc12_capture_check.hpp
/// A compile-time stop for the g++ 12 coroutine bug no API shape can avoid: by-value lambda captures
/// destroyed twice inside a `co_await` statement (docs/design/compilers.md, Bug 1).

#include <cstddef>
#include <string_view>
#include <type_traits>

// Affected: g++ 12 (Debian 12 ships 12.2). Define AIO_NO_GCC12_CAPTURE_CHECK to turn the check off
// once you have read docs/design/compilers.md (for example for a lambda built outside `co_await`).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12 && !defined(AIO_NO_GCC12_CAPTURE_CHECK)
#define AIO_GCC12_CAPTURE_CHECK 1
#else
#define AIO_GCC12_CAPTURE_CHECK 0
#endif

namespace aio::detail {

/// True when `T` is the closure type of a lambda written directly in a coroutine's body: g++ names
/// such a type `f(f(args)::<mangled>.Frame*)::<lambda(...)>`, the lambda nested in the coroutine's
/// actor function. A lambda made by an ordinary function and returned is not one (it was built
/// outside any `co_await` statement).
template <class T>
constexpr bool is_coroutine_lambda() noexcept {
  constexpr std::string_view signature = __PRETTY_FUNCTION__;  // NOLINT(bugprone-lambda-function-name)
  constexpr std::string_view marker = "::<lambda(";
  const std::size_t at = signature.rfind(marker);
  if (at == std::string_view::npos) return false;
  constexpr std::string_view frame = ".Frame*)";
  return at >= frame.size() && signature.substr(at - frame.size(), frame.size()) == frame;
}

/// True for a callable `F`, as deduced by a forwarding reference, that is a temporary lambda written
/// in a coroutine with non-trivially-destructible captures (docs/design/compilers.md, Bug 1). (It
/// cannot tell `std::move(named)` from a lambda written in the call: both are refused.)
template <class F>
constexpr bool gcc12_unsafe_closure() noexcept {
  if constexpr (AIO_GCC12_CAPTURE_CHECK == 0 || std::is_reference_v<F> ||
                std::is_trivially_destructible_v<F>) {
    return false;
  } else {
    return is_coroutine_lambda<F>();
  }
}

}  // namespace aio::detail

/// The diagnostic, in the words the user will read at the call.
#define AIO_GCC12_CAPTURE_MESSAGE                                                                        \
  "aio: g++ 12 destroys the by-value captures of a lambda written inside a co_await statement twice "    \
  "(GCC bug, see aio's docs/design/compilers.md). Name the lambda first and pass it by name (auto fn = " \
  "[state] { ... }; co_await aio::to_thread(fn);), capture by reference, or build with clang++. Define " \
  "AIO_NO_GCC12_CAPTURE_CHECK to silence this check."
