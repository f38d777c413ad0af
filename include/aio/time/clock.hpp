#pragma once
/// @file clock.hpp
/// `aio::clock`: the monotonic clock every aio deadline is measured on.

#include <chrono>

namespace aio {

/// A monotonic `std::chrono` clock (steady_clock underneath). `event_loop::time()` returns its
/// `time_point`; under virtual time the loop's notion of "now" runs ahead of `clock::now()`.
struct clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<clock, duration>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept {
    return time_point(
        std::chrono::duration_cast<duration>(std::chrono::steady_clock::now().time_since_epoch()));
  }
};

/// How a loop's time advances: with the wall (`real_clock`) or by jumping to the next timer whenever
/// the loop is idle (`virtual_clock`, Trio's autojump clock, Tokio's `time::pause`).
enum class clock_mode { real, virtual_time };
inline constexpr clock_mode real_clock = clock_mode::real;
inline constexpr clock_mode virtual_clock = clock_mode::virtual_time;

namespace detail {
/// Converts any duration (floating point too) to the clock's, rounding up so that a timer never fires
/// before the time asked for.
template <class Rep, class Period>
constexpr clock::duration to_clock_duration(std::chrono::duration<Rep, Period> d) {
  return std::chrono::ceil<clock::duration>(d);
}
}  // namespace detail

}  // namespace aio
