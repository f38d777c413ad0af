#pragma once
/// @file metrics.hpp
/// Metrics in the Prometheus text exposition format (version 0.0.4): the loop's own counts, read when
/// scraped, a loop-lag histogram, and the collectors other components register (HTTP routes, client
/// pools, SQL queries). The HTTP handler that serves them is `aio::http::metrics_handler`
/// (include/aio/http/server/metrics_handler.hpp). See docs/design/metrics.md.
///
/// Nothing here runs while nobody scrapes: the loop's counts are the plain counters it keeps anyway
/// (tasks created, live tasks, timers, ready items, watched fds, iterations), read on the loop's
/// thread at scrape time. Histograms are written by one thread with relaxed loads and stores (plain
/// moves on x86 and ARM, no locked instruction) and may be read by any.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "aio/runtime/event_loop.hpp"
#include "aio/runtime/timer_handle.hpp"
#include "aio/time/clock.hpp"

namespace aio::metrics {

/// The upper bounds (seconds) of every aio latency histogram: 100 µs to 10 s, the Prometheus client's
/// default buckets with four finer ones below 5 ms (an event loop's latencies are mostly below them).
inline constexpr std::array<double, 15> k_latency_buckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0};

namespace detail {
/// Seconds to the nearest nanosecond, at compile time (std::llround is not constexpr in C++20).
constexpr std::int64_t nearest_ns(double seconds) noexcept {
  const double scaled = seconds * 1e9;
  const auto whole = static_cast<std::int64_t>(scaled);
  return scaled - static_cast<double>(whole) >= 0.5 ? whole + 1 : whole;
}
}  // namespace detail

/// A latency histogram over `k_latency_buckets`. `observe` is for one thread at a time (relaxed loads
/// and stores, no read-modify-write); `read` may run on any thread and sees a recent state (a sample
/// may be counted in its bucket before its sum: scrapes tolerate that).
class latency_histogram {
 public:
  static constexpr std::size_t k_buckets = k_latency_buckets.size() + 1;  ///< the last one is +Inf

  /// What `read` returns: per-bucket (not cumulative) counts, their total and the sum in seconds.
  struct snapshot {
    std::array<std::uint64_t, k_buckets> counts{};
    std::uint64_t count = 0;
    double sum = 0;
    /// The smallest bucket bound below which `q` (0..1) of the samples fall (+Inf: 1e9); 0 when empty.
    [[nodiscard]] double quantile_bound(double q) const noexcept;
    /// Adds another histogram's counts (several sites or loops into one family).
    snapshot& operator+=(const snapshot& o) noexcept;
  };

  /// Records one sample (single writer; no allocation, no lock, no system call).
  void observe(clock::duration d) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    std::size_t i = 0;
    while (i < k_bounds_ns.size() && ns > k_bounds_ns[i]) ++i;
    bump(m_counts[i], 1);
    bump(m_sum_ns, static_cast<std::uint64_t>(ns < 0 ? 0 : ns));
  }
  /// Same, from any number of threads at once (an atomic add per field; still no lock).
  void observe_shared(clock::duration d) noexcept;
  [[nodiscard]] snapshot read() const noexcept;

 private:
  static constexpr std::array<std::int64_t, k_latency_buckets.size()> k_bounds_ns = [] {
    std::array<std::int64_t, k_latency_buckets.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = detail::nearest_ns(k_latency_buckets[i]);
    return out;
  }();
  static void bump(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::array<std::atomic<std::uint64_t>, k_buckets> m_counts{};
  std::atomic<std::uint64_t> m_sum_ns{0};
};

/// One label of a sample: `{.name = "route", .value = "/users/{id}"}`.
struct label {
  std::string_view name;
  std::string_view value;
};

/// Writes the text exposition format: one `family` (its `# HELP` and `# TYPE` lines) before the samples
/// of that family, label values escaped (`\\`, `\"`, `\n`), numbers as Prometheus parses them.
class exposition {
 public:
  /// `type`: "counter", "gauge" or "histogram". A counter's family and samples are named `name` +
  /// "_total" (the 0.0.4 format's convention; pass the name with or without it).
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<label> labels, double value);
  /// The `_bucket` (cumulative, with `le`), `_sum` and `_count` samples of a histogram.
  void histogram(std::string_view name, std::initializer_list<label> labels,
                 const latency_histogram::snapshot& h);
  [[nodiscard]] const std::string& text() const noexcept { return m_out; }
  [[nodiscard]] std::string take() noexcept { return std::move(m_out); }

 private:
  void labels(std::initializer_list<label> ls, std::string_view le = {});
  void number(double v);
  std::string m_out;
};

/// The loop's counts at one moment (read on the loop's thread).
struct loop_snapshot {
  std::uint64_t iterations = 0;     ///< loop iterations since it was created
  std::uint64_t tasks_created = 0;  ///< tasks started on it
  std::uint64_t tasks_finished = 0;
  std::size_t live_tasks = 0;
  std::size_t ready = 0;             ///< ready-queue length (tasks and callbacks due this iteration)
  std::size_t timers = 0;            ///< armed timers (sleeps, timeouts, call_later)
  std::size_t watched_fds = 0;       ///< fds the loop watches (add_reader/add_writer, sockets, pipes)
  std::size_t pending_io = 0;        ///< operations submitted to the kernel, not yet complete
  std::size_t open_fds = 0;          ///< the process's open file descriptors (/proc/self/fd)
  std::size_t executor_threads = 0;  ///< the default executor's (to_thread's) threads
  std::size_t executor_idle = 0;
  std::size_t executor_queued = 0;  ///< jobs waiting for a thread
  std::size_t executor_max = 0;
};
/// Reads `loop`'s counts. Call on the loop's thread.
[[nodiscard]] loop_snapshot read_loop(event_loop& loop);

/// Measures the loop's lag: a timer every `interval` notes how late it ran (Node's
/// `monitorEventLoopDelay`, asyncio's slow-callback warning seen from outside). One callback per
/// interval, nothing on the loop's fast path. Construct and destroy it on the loop's thread while the
/// loop is open (as `stall_detector`).
class lag_monitor {
 public:
  explicit lag_monitor(event_loop& loop, clock::duration interval = std::chrono::milliseconds(100));
  lag_monitor(const lag_monitor&) = delete;
  lag_monitor& operator=(const lag_monitor&) = delete;
  ~lag_monitor();
  [[nodiscard]] latency_histogram::snapshot read() const noexcept { return m_hist.read(); }
  /// The lag of the latest tick.
  [[nodiscard]] clock::duration last() const noexcept {
    return clock::duration(m_last.load(std::memory_order_relaxed));
  }

  /// The monitor of `loop` shared by whoever asks (the HTTP server's sites, the dashboard): created by
  /// the first call, stopped when the last owner lets go. Same threading rules.
  [[nodiscard]] static std::shared_ptr<lag_monitor> shared(event_loop& loop);
  /// What a monitor running on `loop` measured so far; false when none runs on it. Any thread.
  static bool read(const event_loop& loop, latency_histogram::snapshot& out, clock::duration& last);

 private:
  void arm();
  event_loop* m_loop;
  clock::duration m_interval;
  clock::time_point m_due{};
  timer_handle m_timer;
  latency_histogram m_hist;
  std::atomic<clock::duration::rep> m_last{0};
};

/// A source of families written at scrape time (HTTP routes, client pools, SQL). It runs on the
/// scraping thread: it must read only what is safe to read from there (relaxed atomics, or data under
/// its own lock).
using collector = std::function<void(exposition&)>;

/// Keeps a collector registered while it lives.
class registration {
 public:
  registration() = default;
  explicit registration(std::uint64_t id) noexcept : m_id(id) {}
  registration(registration&& o) noexcept : m_id(o.m_id) { o.m_id = 0; }
  registration& operator=(registration&& o) noexcept;
  registration(const registration&) = delete;
  registration& operator=(const registration&) = delete;
  ~registration();

 private:
  std::uint64_t m_id = 0;
};

/// Registers `c` process-wide (under a mutex: for set-up, not for hot paths).
[[nodiscard]] registration add_collector(collector c);

/// Everything: `loop`'s counts and lag (when a `lag_monitor` runs on it), the process's fds, then every
/// registered collector. Call on `loop`'s thread.
[[nodiscard]] std::string scrape(event_loop& loop);

/// The content type of `scrape`'s text.
inline constexpr std::string_view k_content_type = "text/plain; version=0.0.4; charset=utf-8";

namespace detail {
/// What `run_options::dashboard` starts: set by aio::http (include/aio/http/server/dashboard.hpp)
/// when the program includes it. Returns an owner that stops the dashboard when destroyed.
using dashboard_starter = std::shared_ptr<void> (*)(event_loop& loop, std::string_view address);
void set_dashboard_starter(dashboard_starter s) noexcept;
[[nodiscard]] dashboard_starter get_dashboard_starter() noexcept;
}  // namespace detail

}  // namespace aio::metrics
