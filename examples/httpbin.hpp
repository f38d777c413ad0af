#pragma once
// A small httpbin-like server for the tour's HTTP examples, served in-process on 127.0.0.1 (a free
// port), so that the examples need no network: the tutorials use httpbin.org the same way.
//
//   /get               the request's query arguments, headers and origin, as JSON
//   /delay/{n}         the same after n seconds (n <= 10)
//   /status/{code}     an empty response with that status
//   /json              a fixed JSON document
//   /stream/{n}        n JSON lines, one chunk each (stream_response)
//   /bytes/{n}         n pseudo-random bytes (a fixed seed, or ?seed=)
//   /redirect/{n}      302 n times, then /get
//   /ws/echo           WebSocket: every message comes back
//   /page/{i}          page i of a 1,000-page site for the crawler (links to a few other pages)

#include <aio/aio.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace aio_examples {

/// The number of pages under /page/{i} (0 to k_site_pages - 1).
inline constexpr int k_site_pages = 1000;

/// Adds every httpbin route above to `router`.
void add_httpbin_routes(aio::http::router& router);

/// An application serving httpbin's routes (and whatever routes the caller adds) on 127.0.0.1, port 0.
class httpbin {
 public:
  httpbin() { add_httpbin_routes(m_app.router()); }
  httpbin(const httpbin&) = delete;
  httpbin& operator=(const httpbin&) = delete;

  /// Its router, to add routes before `start()`.
  [[nodiscard]] aio::http::router& router() noexcept { return m_app.router(); }

  /// Starts serving on 127.0.0.1 (a free port, or `port`).
  aio::coro<> start(std::uint16_t port = 0);
  /// Graceful stop: in-flight requests finish, then the connections close.
  aio::coro<> stop();

  [[nodiscard]] std::uint16_t port() const { return m_server.port(); }
  /// "http://127.0.0.1:PORT" followed by `path`.
  [[nodiscard]] std::string url(std::string_view path) const;
  /// "ws://127.0.0.1:PORT" followed by `path`.
  [[nodiscard]] std::string ws_url(std::string_view path) const;

 private:
  aio::http::application m_app;
  aio::http::app_server m_server;
};

}  // namespace aio_examples
