#pragma once
// Rate-limited error logging for the server (private). See docs/design/http_server.md, "Logs".
//
// A peer can make the server log (reset a connection mid-body, make a handler fail): without a bound
// it could fill the disk or drown other messages. Each kind of message gets at most
// `k_lines_per_window` lines per one-second window of the loop's clock; the rest are counted, and one
// "suppressed N" line reports them once the window is over (at the next message of that kind or at
// the sweeper's next pass, whichever comes first).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aio/time/clock.hpp"

namespace aio::http::detail {

enum class log_kind : std::uint8_t {
  handler_error,      ///< a handler threw (500 sent)
  client_disconnect,  ///< the client's connection failed while its request was served
  invalid_response,   ///< a handler returned a response that cannot be serialised
  count
};

class log_limiter {
 public:
  static constexpr unsigned k_lines_per_window = 10;
  static constexpr clock::duration k_window = std::chrono::seconds(1);

  /// Prints `aio.http: <peer>: <message>` on stderr unless this kind is over its budget.
  void log(log_kind kind, std::string_view peer, std::string_view message, clock::time_point now);
  /// Reports the messages suppressed in windows that are over (`all`: in every window, at shutdown).
  void flush(clock::time_point now, bool all = false);

 private:
  struct window {
    clock::time_point start{};
    unsigned printed = 0;
    std::uint64_t suppressed = 0;
  };
  void close_window(log_kind kind, window& w);
  std::array<window, static_cast<std::size_t>(log_kind::count)> m_windows{};
};

}  // namespace aio::http::detail
