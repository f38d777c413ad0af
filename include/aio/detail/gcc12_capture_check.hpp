#pragma once
/// @file gcc12_capture_check.hpp
/// A compile-time stop for the one g++ 12 coroutine bug no API shape can avoid: a lambda with by-value
/// captures of non-trivial types (a `shared_ptr`, a `std::string`) written inside a `co_await`
/// statement has each such capture destroyed twice. docs/design/compilers.md has the details.

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

/// True when `T` is a lambda's closure type (g++ names it `<lambda(...)>` in a function's signature).
template <class T>
constexpr bool is_lambda_closure() noexcept {
  constexpr std::string_view signature = __PRETTY_FUNCTION__;  // NOLINT(bugprone-lambda-function-name)
  return signature.find("<lambda") != std::string_view::npos;
}

/// True for a callable `F`, as deduced by a forwarding reference, that is a temporary lambda whose
/// captures g++ 12 would destroy twice if the call is inside a `co_await` statement.
template <class F>
constexpr bool gcc12_unsafe_closure() noexcept {
  if constexpr (AIO_GCC12_CAPTURE_CHECK == 0 || std::is_reference_v<F> ||
                std::is_trivially_destructible_v<F>) {
    return false;
  } else {
    return is_lambda_closure<F>();
  }
}

}  // namespace aio::detail

/// The diagnostic, in the words the user will read at the call.
#define AIO_GCC12_CAPTURE_MESSAGE                                                                        \
  "aio: g++ 12 destroys the by-value captures of a lambda written inside a co_await statement twice "    \
  "(GCC bug, see aio's docs/design/compilers.md). Name the lambda first and pass it by name (auto fn = " \
  "[state] { ... }; co_await aio::to_thread(fn);), capture by reference, or build with clang++. Define " \
  "AIO_NO_GCC12_CAPTURE_CHECK to silence this check."
