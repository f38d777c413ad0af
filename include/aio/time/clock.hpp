#pragma once
/// @file clock.hpp
/// `aio::clock`: the monotonic clock every aio deadline is measured on.

#include <chrono>
#include <ratio>
#include <type_traits>
#include <utility>

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
/// before the time asked for, and saturating instead of overflowing: `hours::max()` or an infinite
/// `duration<double>` is the clock's end ("never"); NaN is zero.
template <class Rep, class Period>
constexpr clock::duration to_clock_duration(std::chrono::duration<Rep, Period> d) {
  using ns = clock::duration;
  if constexpr (std::is_floating_point_v<Rep>) {
    const long double x = std::chrono::duration<long double, std::nano>(d).count();
    if (x != x) return ns::zero();
    if (x >= static_cast<long double>(ns::max().count())) return ns::max();
    if (x <= static_cast<long double>(ns::min().count())) return ns::min();
  } else if constexpr (std::ratio_divide<Period, std::nano>::den == 1) {
    // A unit of whole nanoseconds or coarser: converting multiplies, which can overflow.
    constexpr auto limit = ns::max().count() / std::ratio_divide<Period, std::nano>::num;
    if (std::cmp_greater(d.count(), limit)) return ns::max();
    if (std::cmp_less(d.count(), -limit)) return ns::min();
  }
  return std::chrono::ceil<ns>(d);
}

/// `t + d`, stopping at the clock's end instead of overflowing.
constexpr clock::time_point saturating_add(clock::time_point t, clock::duration d) {
  if (d > clock::duration::zero() && t.time_since_epoch() > clock::duration::max() - d) {
    return clock::time_point::max();
  }
  return t + d;
}
}  // namespace detail

}  // namespace aio
