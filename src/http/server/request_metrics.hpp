#pragma once
// The HTTP server's request metrics (private): one table per site, written by the site's loop only,
// read by `aio::metrics::scrape` on any thread (the http collector) and by the dashboard.
// See docs/design/metrics.md.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aio/debug/metrics.hpp"
#include "aio/time/clock.hpp"

namespace aio::http {
class router;
}

namespace aio::http::detail {

/// Requests by route, method and status, each a latency histogram. The table is sized when the site
/// starts (routes are fixed by then), so recording never allocates: a method index, a probe of a few
/// status slots, and a histogram's relaxed stores.
class request_metrics {
 public:
  static constexpr std::size_t k_methods = 8;       // GET HEAD POST PUT PATCH DELETE OPTIONS other
  static constexpr std::size_t k_status_slots = 6;  // the last one counts every further status
  static constexpr std::array<std::string_view, k_methods> k_method_names = {
      "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};

  explicit request_metrics(const router& r);
  request_metrics(const request_metrics&) = delete;
  request_metrics& operator=(const request_metrics&) = delete;
  ~request_metrics();

  /// One answered request (on the site's loop).
  void record(std::uint32_t route, std::string_view method, int status, clock::duration took) noexcept;
  /// A request refused before routing (malformed: 400, 408, 413, 431...).
  void bad_request() noexcept { bump(m_bad_requests); }
  void connection_opened() noexcept { bump(m_connections); }
  void connection_closed() noexcept {
    m_connections.store(m_connections.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  }

  struct cell {
    std::atomic<int> status{0};  // 0: unused; -1: "other" (the last slot)
    metrics::latency_histogram hist;
  };

  /// Calls `fn(route, method, status, snapshot)` for every used cell (status -1: "other").
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t r = 0; r < m_routes.size(); ++r) {
      for (std::size_t m = 0; m < k_methods; ++m) {
        for (std::size_t s = 0; s < k_status_slots; ++s) {
          const cell& c = m_cells[(r * k_methods + m) * k_status_slots + s];
          const int st = c.status.load(std::memory_order_acquire);
          if (st == 0) continue;
          const metrics::latency_histogram::snapshot h = c.hist.read();
          if (h.count == 0) continue;
          fn(std::string_view(m_routes[r]), k_method_names[m], st, h);
        }
      }
    }
  }
  [[nodiscard]] std::uint64_t bad_requests() const noexcept {
    return m_bad_requests.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t connections() const noexcept {
    return m_connections.load(std::memory_order_relaxed);
  }

 private:
  static void bump(std::atomic<std::uint64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::vector<std::string> m_routes;  // labels: the router's patterns, "" for none
  std::unique_ptr<cell[]> m_cells;
  std::atomic<std::uint64_t> m_bad_requests{0};
  std::atomic<std::uint64_t> m_connections{0};
};

/// The slowest routes of every running site (the dashboard's table), by mean latency.
struct route_summary {
  std::string route;
  std::string method;
  std::uint64_t count = 0;
  std::uint64_t errors = 0;  ///< 5xx
  double mean_seconds = 0;
  double p99_bound_seconds = 0;  ///< the bucket bound below which 99 % fall
};
[[nodiscard]] std::vector<route_summary> slowest_routes(std::size_t n);

}  // namespace aio::http::detail
