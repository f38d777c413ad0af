// The HTTP server's request metrics and their collector. See request_metrics.hpp.

#include "request_metrics.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "aio/http/server/router.hpp"

namespace aio::http::detail {

namespace {

std::size_t method_index(std::string_view m) noexcept {
  for (std::size_t i = 0; i + 1 < request_metrics::k_methods; ++i) {
    if (m == request_metrics::k_method_names[i]) return i;
  }
  return request_metrics::k_methods - 1;
}

struct site_list {
  std::mutex mutex;
  std::vector<const request_metrics*> tables;  // guarded by mutex
  metrics::registration collector;             // set on first use
};

site_list& sites() {
  static site_list l;
  return l;
}

using series_key = std::tuple<std::string, std::string_view, int>;

/// Every site's cells, summed by (route, method, status): workers serving one application give one
/// series, as Prometheus requires.
std::map<series_key, metrics::latency_histogram::snapshot> merged(std::uint64_t& bad, std::uint64_t& conns) {
  std::map<series_key, metrics::latency_histogram::snapshot> out;
  site_list& l = sites();
  const std::lock_guard<std::mutex> lock(l.mutex);
  for (const request_metrics* t : l.tables) {
    bad += t->bad_requests();
    conns += t->connections();
    t->for_each([&out](std::string_view route, std::string_view method, int status,
                       const metrics::latency_histogram::snapshot& h) {
      out[series_key(std::string(route), method, status)] += h;
    });
  }
  return out;
}

void collect(metrics::exposition& out) {
  std::uint64_t bad = 0;
  std::uint64_t conns = 0;
  const auto series = merged(bad, conns);
  out.family("aio_http_requests", "counter", "HTTP requests answered, by route, method and status.");
  for (const auto& [key, h] : series) {
    const std::string status = std::get<2>(key) < 0 ? std::string("other") : std::to_string(std::get<2>(key));
    out.sample("aio_http_requests_total",
               {{"route", std::get<0>(key)}, {"method", std::get<1>(key)}, {"status", status}},
               static_cast<double>(h.count));
  }
  out.family("aio_http_request_duration_seconds", "histogram",
             "From a request's head parsed to its response written, by route, method and status.");
  for (const auto& [key, h] : series) {
    const std::string status = std::get<2>(key) < 0 ? std::string("other") : std::to_string(std::get<2>(key));
    out.histogram("aio_http_request_duration_seconds",
                  {{"route", std::get<0>(key)}, {"method", std::get<1>(key)}, {"status", status}}, h);
  }
  out.family("aio_http_bad_requests", "counter",
             "Requests refused before routing: malformed or over a limit (400, 408, 413, 431...).");
  out.sample("aio_http_bad_requests_total", {}, static_cast<double>(bad));
  out.family("aio_http_connections", "gauge", "Open HTTP server connections.");
  out.sample("aio_http_connections", {}, static_cast<double>(conns));
}

}  // namespace

request_metrics::request_metrics(const router& r) : m_routes(r.route_patterns()) {
  if (m_routes.empty()) m_routes.emplace_back();
  m_routes[0] = "unmatched";
  m_cells = std::make_unique<cell[]>(m_routes.size() * k_methods * k_status_slots);
  for (std::size_t g = 0; g < m_routes.size() * k_methods; ++g) {
    m_cells[(g * k_status_slots) + k_status_slots - 1].status.store(-1, std::memory_order_relaxed);
  }
  site_list& l = sites();
  // The collector is registered once, outside the list's lock (a scrape holds the registry's lock,
  // then this one).
  static const bool registered = [&l] {
    metrics::registration reg = metrics::add_collector(collect);
    const std::lock_guard<std::mutex> lock(l.mutex);
    l.collector = std::move(reg);
    return true;
  }();
  (void)registered;
  const std::lock_guard<std::mutex> lock(l.mutex);
  l.tables.push_back(this);
}

request_metrics::~request_metrics() {
  site_list& l = sites();
  const std::lock_guard<std::mutex> lock(l.mutex);
  std::erase(l.tables, this);
}

void request_metrics::record(std::uint32_t route, std::string_view method, int status,
                             clock::duration took) noexcept {
  if (route >= m_routes.size()) route = 0;
  cell* group = &m_cells[((route * k_methods) + method_index(method)) * k_status_slots];
  cell* c = &group[k_status_slots - 1];  // "other" when every slot holds another status
  for (std::size_t i = 0; i + 1 < k_status_slots; ++i) {
    const int s = group[i].status.load(std::memory_order_relaxed);
    if (s == status) {
      c = &group[i];
      break;
    }
    if (s == 0) {
      group[i].status.store(status, std::memory_order_release);  // one writer: the site's loop
      c = &group[i];
      break;
    }
  }
  c->hist.observe(took);
}

std::vector<route_summary> slowest_routes(std::size_t n) {
  std::uint64_t bad = 0;
  std::uint64_t conns = 0;
  const auto series = merged(bad, conns);
  std::map<std::pair<std::string, std::string_view>,
           std::pair<metrics::latency_histogram::snapshot, std::uint64_t>>
      by_route;
  for (const auto& [key, h] : series) {
    auto& e = by_route[{std::get<0>(key), std::get<1>(key)}];
    e.first += h;
    if (std::get<2>(key) >= 500) e.second += h.count;
  }
  std::vector<route_summary> out;
  for (const auto& [key, e] : by_route) {
    route_summary s;
    s.route = key.first;
    s.method = std::string(key.second);
    s.count = e.first.count;
    s.errors = e.second;
    s.mean_seconds = e.first.count == 0 ? 0 : e.first.sum / static_cast<double>(e.first.count);
    s.p99_bound_seconds = e.first.quantile_bound(0.99);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const route_summary& a, const route_summary& b) { return a.mean_seconds > b.mean_seconds; });
  if (out.size() > n) out.resize(n);
  return out;
}

}  // namespace aio::http::detail
