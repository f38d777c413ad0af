// Metrics: the exposition format writer, the loop's counts, the lag monitor, the collector registry and
// the dashboard hook. See include/aio/debug/metrics.hpp and docs/design/metrics.md.

#include "aio/debug/metrics.hpp"

#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <utility>
#include <vector>

#include "aio/executor/thread_pool.hpp"

namespace aio::metrics {

// ---- histogram --------------------------------------------------------------------------------------

void latency_histogram::observe_shared(clock::duration d) noexcept {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  std::size_t i = 0;
  while (i < k_bounds_ns.size() && ns > k_bounds_ns[i]) ++i;
  m_counts[i].fetch_add(1, std::memory_order_relaxed);
  m_sum_ns.fetch_add(static_cast<std::uint64_t>(ns < 0 ? 0 : ns), std::memory_order_relaxed);
}

latency_histogram::snapshot latency_histogram::read() const noexcept {
  snapshot s;
  for (std::size_t i = 0; i < k_buckets; ++i) {
    s.counts[i] = m_counts[i].load(std::memory_order_relaxed);
    s.count += s.counts[i];
  }
  s.sum = static_cast<double>(m_sum_ns.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

double latency_histogram::snapshot::quantile_bound(double q) const noexcept {
  if (count == 0) return 0;
  const auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < k_latency_buckets.size(); ++i) {
    seen += counts[i];
    if (seen >= want) return k_latency_buckets[i];
  }
  return 1e9;
}

latency_histogram::snapshot& latency_histogram::snapshot::operator+=(const snapshot& o) noexcept {
  for (std::size_t i = 0; i < k_buckets; ++i) counts[i] += o.counts[i];
  count += o.count;
  sum += o.sum;
  return *this;
}

// ---- exposition -------------------------------------------------------------------------------------

void exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  // The 0.0.4 text format names a counter's family as its samples are named, "_total" included
  // (OpenMetrics drops the suffix from the family; Prometheus's own parser expects it here).
  std::string full(name);
  if (type == "counter" && !full.ends_with("_total")) full += "_total";
  m_out.append("# HELP ").append(full).append(" ");
  for (const char c : help) {  // HELP escapes backslash and newline only
    if (c == '\\') {
      m_out += "\\\\";
    } else if (c == '\n') {
      m_out += "\\n";
    } else {
      m_out += c;
    }
  }
  m_out.append("\n# TYPE ").append(full).append(" ").append(type).append("\n");
}

void exposition::labels(std::initializer_list<label> ls, std::string_view le) {
  if (ls.size() == 0 && le.empty()) return;
  m_out += '{';
  bool first = true;
  auto one = [this, &first](std::string_view name, std::string_view value) {
    if (!first) m_out += ',';
    first = false;
    m_out.append(name).append("=\"");
    for (const char c : value) {
      if (c == '\\') {
        m_out += "\\\\";
      } else if (c == '"') {
        m_out += "\\\"";
      } else if (c == '\n') {
        m_out += "\\n";
      } else {
        m_out += c;
      }
    }
    m_out += '"';
  };
  for (const label& l : ls) one(l.name, l.value);
  if (!le.empty()) one("le", le);
  m_out += '}';
}

void exposition::number(double v) {
  if (std::isnan(v)) {
    m_out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    m_out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  const double r = std::nearbyint(v);
  const int n = r == v && std::fabs(v) < 1e15 ? std::snprintf(buf, sizeof buf, "%.0f", v)
                                              : std::snprintf(buf, sizeof buf, "%.9g", v);
  m_out.append(buf, static_cast<std::size_t>(n));
}

void exposition::sample(std::string_view name, std::initializer_list<label> ls, double value) {
  m_out.append(name);
  labels(ls);
  m_out += ' ';
  number(value);
  m_out += '\n';
}

void exposition::histogram(std::string_view name, std::initializer_list<label> ls,
                           const latency_histogram::snapshot& h) {
  std::uint64_t cumulative = 0;
  char le[32];
  for (std::size_t i = 0; i < latency_histogram::k_buckets; ++i) {
    cumulative += h.counts[i];
    m_out.append(name).append("_bucket");
    if (i < k_latency_buckets.size()) {
      const int n = std::snprintf(le, sizeof le, "%g", k_latency_buckets[i]);
      labels(ls, std::string_view(le, static_cast<std::size_t>(n)));
    } else {
      labels(ls, "+Inf");
    }
    m_out += ' ';
    number(static_cast<double>(cumulative));
    m_out += '\n';
  }
  m_out.append(name).append("_sum");
  labels(ls);
  m_out += ' ';
  number(h.sum);
  m_out.append("\n").append(name).append("_count");
  labels(ls);
  m_out += ' ';
  number(static_cast<double>(cumulative));
  m_out += '\n';
}

// ---- the loop's counts --------------------------------------------------------------------------------

namespace {
std::size_t count_open_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  std::size_t n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n > 0 ? n - 1 : 0;  // not the directory's own fd
}
}  // namespace

loop_snapshot read_loop(event_loop& loop) {
  loop_snapshot s;
  s.iterations = loop.iterations();
  s.tasks_created = loop.tasks_created();
  s.live_tasks = loop.live_tasks();
  s.tasks_finished = s.tasks_created - std::min<std::uint64_t>(s.tasks_created, s.live_tasks);
  s.ready = loop.ready_count();
  s.timers = loop.pending_timers();
  s.watched_fds = loop.watched_fds();
  s.pending_io = loop.pending_io();
  s.open_fds = count_open_fds();
  if (thread_pool* pool = loop.started_default_executor()) {
    const thread_pool::stats ps = pool->statistics();
    s.executor_threads = ps.threads;
    s.executor_idle = ps.idle;
    s.executor_queued = ps.queued;
    s.executor_max = pool->max_workers();
  }
  return s;
}

// ---- lag monitor --------------------------------------------------------------------------------------

namespace {
std::mutex g_monitors_mutex;
std::vector<lag_monitor*> g_monitors;                                      // guarded by g_monitors_mutex
std::vector<std::pair<event_loop*, std::weak_ptr<lag_monitor>>> g_shared;  // guarded by g_monitors_mutex
}  // namespace

lag_monitor::lag_monitor(event_loop& loop, clock::duration interval) : m_loop(&loop), m_interval(interval) {
  {
    const std::lock_guard<std::mutex> lock(g_monitors_mutex);
    g_monitors.push_back(this);
  }
  arm();
}

lag_monitor::~lag_monitor() {
  m_timer.cancel();
  const std::lock_guard<std::mutex> lock(g_monitors_mutex);
  std::erase(g_monitors, this);
}

void lag_monitor::arm() {
  m_due = m_loop->time() + m_interval;
  m_timer = m_loop->call_at(m_due, [this] {
    const clock::duration lag = std::max(clock::duration::zero(), m_loop->time() - m_due);
    m_hist.observe(lag);
    m_last.store(lag.count(), std::memory_order_relaxed);
    arm();
  });
}

std::shared_ptr<lag_monitor> lag_monitor::shared(event_loop& loop) {
  {
    const std::lock_guard<std::mutex> lock(g_monitors_mutex);
    std::erase_if(g_shared, [](const auto& e) { return e.second.expired(); });
    for (const auto& e : g_shared) {
      if (auto m = e.second.lock(); m && e.first == &loop) return m;
    }
  }
  // Only the loop's own thread asks for its monitor: no other can create one meanwhile.
  auto m = std::make_shared<lag_monitor>(loop);
  const std::lock_guard<std::mutex> lock(g_monitors_mutex);
  g_shared.emplace_back(&loop, m);
  return m;
}

bool lag_monitor::read(const event_loop& loop, latency_histogram::snapshot& out, clock::duration& last) {
  const std::lock_guard<std::mutex> lock(g_monitors_mutex);
  for (const lag_monitor* m : g_monitors) {
    if (m->m_loop == &loop) {
      out = m->m_hist.read();
      last = m->last();
      return true;
    }
  }
  return false;
}

// ---- collectors -----------------------------------------------------------------------------------------

namespace {
struct registry {
  std::mutex mutex;
  std::uint64_t next_id = 1;
  std::vector<std::pair<std::uint64_t, std::unique_ptr<collector>>> collectors;  // guarded by mutex
};
registry& the_registry() {
  // Never destroyed: a registration held by a static (the HTTP server's list of sites) may be made
  // after the first call here, and so be destroyed after a function-local static would be.
  static registry* const r = new registry;  // NOLINT(cppcoreguidelines-owning-memory): lives forever
  return *r;
}
}  // namespace

registration add_collector(collector c) {
  registry& r = the_registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  const std::uint64_t id = r.next_id++;
  r.collectors.emplace_back(id, std::make_unique<collector>(std::move(c)));
  return registration(id);
}

registration& registration::operator=(registration&& o) noexcept {
  if (this != &o) {
    registration gone(std::move(*this));
    m_id = std::exchange(o.m_id, 0);
  }
  return *this;
}

registration::~registration() {
  if (m_id == 0) return;
  registry& r = the_registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  std::erase_if(r.collectors, [this](const auto& e) { return e.first == m_id; });
}

std::string scrape(event_loop& loop) {
  const loop_snapshot s = read_loop(loop);
  exposition out;
  auto gauge = [&out](std::string_view name, std::string_view help, double v) {
    out.family(name, "gauge", help);
    out.sample(name, {}, v);
  };
  auto counter = [&out](std::string_view name, std::string_view help, double v) {
    out.family(name, "counter", help);
    std::string total(name);
    total += "_total";
    out.sample(total, {}, v);
  };
  counter("aio_loop_iterations", "Event loop iterations.", static_cast<double>(s.iterations));
  counter("aio_tasks_created", "Tasks started on the loop.", static_cast<double>(s.tasks_created));
  counter("aio_tasks_finished", "Tasks that ended (returned, failed or were cancelled).",
          static_cast<double>(s.tasks_finished));
  gauge("aio_tasks_live", "Tasks started and not yet finished.", static_cast<double>(s.live_tasks));
  gauge("aio_loop_ready", "Ready-queue length: tasks and callbacks due in the next iteration.",
        static_cast<double>(s.ready));
  gauge("aio_loop_timers", "Armed timers (sleeps, timeouts, call_later).", static_cast<double>(s.timers));
  gauge("aio_loop_watched_fds", "File descriptors the loop watches.", static_cast<double>(s.watched_fds));
  gauge("aio_loop_pending_io", "I/O operations submitted to the kernel and not yet complete.",
        static_cast<double>(s.pending_io));
  gauge("aio_process_open_fds", "Open file descriptors of the process.", static_cast<double>(s.open_fds));
  gauge("aio_to_thread_threads", "Threads of the default executor (to_thread).",
        static_cast<double>(s.executor_threads));
  gauge("aio_to_thread_idle_threads", "Of those, threads waiting for a job.",
        static_cast<double>(s.executor_idle));
  gauge("aio_to_thread_max_threads", "The default executor's thread limit (0: not started).",
        static_cast<double>(s.executor_max));
  gauge("aio_to_thread_queued", "Jobs waiting for a thread of the default executor.",
        static_cast<double>(s.executor_queued));
  latency_histogram::snapshot lag;
  clock::duration last{};
  if (lag_monitor::read(loop, lag, last)) {
    out.family("aio_loop_lag_seconds", "histogram",
               "How late the loop ran a timer due every 100 ms (its lag behind its clock).");
    out.histogram("aio_loop_lag_seconds", {}, lag);
  }
  // Under the registry's lock: a registration ending on another thread waits until its collector
  // has finished reading what it points at.
  registry& r = the_registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  for (const auto& e : r.collectors) (*e.second)(out);
  return out.take();
}

// ---- dashboard hook ---------------------------------------------------------------------------------------

namespace {
std::atomic<detail::dashboard_starter> g_dashboard_starter{nullptr};
}  // namespace

void detail::set_dashboard_starter(dashboard_starter s) noexcept {
  g_dashboard_starter.store(s, std::memory_order_release);
}
detail::dashboard_starter detail::get_dashboard_starter() noexcept {
  return g_dashboard_starter.load(std::memory_order_acquire);
}

}  // namespace aio::metrics
