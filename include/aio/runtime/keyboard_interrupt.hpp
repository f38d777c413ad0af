#pragma once
/// @file keyboard_interrupt.hpp
/// `aio::keyboard_interrupt`: Python's KeyboardInterrupt, thrown by `aio::run` after Ctrl+C when the
/// program asked for it (`run_options{.raise_keyboard_interrupt = true}`).
/// Like `cancelled_error` (and Python's `BaseException`) it has no `std::exception` base, so a
/// `catch (const std::exception&)` meant for errors does not swallow the user's Ctrl+C.

namespace aio {

/// The user pressed Ctrl+C (SIGINT) while `aio::run` ran; main's clean-up has already run.
class keyboard_interrupt final {
 public:
  [[nodiscard]] const char* what() const noexcept {
    return "aio: interrupted by SIGINT (keyboard interrupt)";
  }
};

}  // namespace aio
