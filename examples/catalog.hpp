#pragma once
// The tour's catalogue: every example with its title and the time its tutorial promises. The tour
// (tour.cpp) runs them on the real clock; tests/examples runs them on virtual time and checks both
// their output and that the promised time is exactly what they take.

#include <aio/aio.hpp>
#include <iosfwd>
#include <span>
#include <string_view>

namespace aio_examples {

struct example {
  std::string_view name;               ///< the `<name>_main` function, and the tour's filter key
  std::string_view title;              ///< one line: what the example shows
  aio::coro<> (*main)(std::ostream&);  ///< writes everything it prints to the stream
  double promised_seconds;             ///< the running time the tutorial promises
  bool leaves_tasks = false;           ///< main returns with tasks running; aio::run cancels them
  bool real_threads = false;           ///< blocks a worker thread in real time (virtual time waits)
  bool external = false;               ///< waits for another process: virtual time follows the wall
  bool load_run = false;               ///< runs as fast as the machine can: its time is a measurement,
                                       ///< not a promise (`promised_seconds` is 0)
};

/// Every example, in tour order.
std::span<const example> catalog();

}  // namespace aio_examples
