// Rate-limited error logging for the server. See log_limiter.hpp.

#include "log_limiter.hpp"

#include <cstdio>

namespace aio::http::detail {

namespace {
const char* kind_name(log_kind k) {
  switch (k) {
    case log_kind::handler_error:
      return "handler error";
    case log_kind::client_disconnect:
      return "client disconnect";
    case log_kind::invalid_response:
      return "invalid response";
    case log_kind::count:
      break;
  }
  return "?";
}
}  // namespace

void log_limiter::close_window(log_kind kind, window& w) {
  if (w.suppressed != 0) {
    std::fprintf(stderr, "aio.http: suppressed %llu more '%s' messages (at most %u a second)\n",
                 static_cast<unsigned long long>(w.suppressed), kind_name(kind), k_lines_per_window);
  }
  w = window{};
}

void log_limiter::log(log_kind kind, std::string_view peer, std::string_view message, clock::time_point now) {
  window& w = m_windows[static_cast<std::size_t>(kind)];
  if (w.printed != 0 && now - w.start >= k_window) close_window(kind, w);
  if (w.printed == 0) w.start = now;
  if (w.printed >= k_lines_per_window) {
    ++w.suppressed;
    return;
  }
  ++w.printed;
  std::fprintf(stderr, "aio.http: %.*s: %.*s\n", static_cast<int>(peer.size()), peer.data(),
               static_cast<int>(message.size()), message.data());
}

void log_limiter::flush(clock::time_point now, bool all) {
  for (std::size_t i = 0; i < m_windows.size(); ++i) {
    window& w = m_windows[i];
    if (w.printed != 0 && (all || now - w.start >= k_window)) close_window(static_cast<log_kind>(i), w);
  }
}

}  // namespace aio::http::detail
