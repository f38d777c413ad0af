// aio::metrics: the exposition format, the loop's counts, the lag monitor, collectors, scrape.

#include "aio/debug/metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(Metrics, HistogramBucketsAndQuantile) {
  aio::metrics::latency_histogram h;
  h.observe(50us);   // <= 100 us
  h.observe(100us);  // <= 100 us (bounds are inclusive, as Prometheus's `le`)
  h.observe(3ms);    // <= 5 ms
  h.observe(1min);   // +Inf
  const auto s = h.read();
  EXPECT_EQ(s.count, 4U);
  EXPECT_EQ(s.counts[0], 2U);
  EXPECT_EQ(s.counts[5], 1U);
  EXPECT_EQ(s.counts.back(), 1U);
  EXPECT_NEAR(s.sum, 60.00315, 1e-9);
  EXPECT_DOUBLE_EQ(s.quantile_bound(0.5), 0.0001);
  EXPECT_DOUBLE_EQ(s.quantile_bound(0.75), 0.005);
  EXPECT_GE(s.quantile_bound(1.0), 1e9);
  aio::metrics::latency_histogram::snapshot both = s;
  both += s;
  EXPECT_EQ(both.count, 8U);
}

TEST(Metrics, ExpositionFormat) {
  aio::metrics::exposition out;
  out.family("x_requests", "counter", "Requests\nwith a \\ in the help.");
  out.sample("x_requests_total", {{"route", "/a\"b\\c\nd"}, {"method", "GET"}}, 3);
  out.family("x_ratio", "gauge", "A ratio.");
  out.sample("x_ratio", {}, 0.25);
  aio::metrics::latency_histogram h;
  h.observe(1ms);
  h.observe(20s);
  out.family("x_seconds", "histogram", "Latency.");
  out.histogram("x_seconds", {{"route", "/"}}, h.read());
  const std::string& t = out.text();
  EXPECT_NE(
      t.find(
          "# HELP x_requests_total Requests\\nwith a \\\\ in the help.\n# TYPE x_requests_total counter\n"),
      std::string::npos)
      << t;
  EXPECT_NE(t.find("x_requests_total{route=\"/a\\\"b\\\\c\\nd\",method=\"GET\"} 3\n"), std::string::npos)
      << t;
  EXPECT_NE(t.find("x_ratio 0.25\n"), std::string::npos) << t;
  EXPECT_NE(t.find("x_seconds_bucket{route=\"/\",le=\"0.0005\"} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("x_seconds_bucket{route=\"/\",le=\"0.001\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("x_seconds_bucket{route=\"/\",le=\"10\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("x_seconds_bucket{route=\"/\",le=\"+Inf\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("x_seconds_sum{route=\"/\"} 20.001\n"), std::string::npos) << t;
  EXPECT_NE(t.find("x_seconds_count{route=\"/\"} 2\n"), std::string::npos) << t;
}

aio::coro<> short_task() { co_await aio::sleep(1ms); }

aio::coro<> counts_tasks() {
  aio::event_loop& loop = aio::get_running_loop();
  const auto before = aio::metrics::read_loop(loop);
  EXPECT_EQ(before.live_tasks, 1U);  // main
  auto a = aio::create_task(short_task());
  auto b = aio::create_task(short_task());
  co_await aio::sleep(0s);  // both started and sleeping
  const auto during = aio::metrics::read_loop(loop);
  EXPECT_EQ(during.tasks_created, before.tasks_created + 2);
  EXPECT_EQ(during.live_tasks, 3U);
  EXPECT_EQ(during.timers, before.timers + 2);
  EXPECT_GT(during.iterations, before.iterations);
  co_await a;
  co_await b;
  const auto after = aio::metrics::read_loop(loop);
  EXPECT_EQ(after.tasks_finished, before.tasks_finished + 2);
  EXPECT_EQ(after.live_tasks, 1U);
  EXPECT_GT(after.open_fds, 0U);
  // The default executor appears once to_thread started it.
  EXPECT_EQ(after.executor_max, 0U);
  co_await aio::to_thread([] { return 1; });
  const auto pooled = aio::metrics::read_loop(loop);
  EXPECT_GE(pooled.executor_threads, 1U);
  EXPECT_GT(pooled.executor_max, 0U);
  EXPECT_EQ(pooled.executor_queued, 0U);
}

TEST(Metrics, LoopCounts) { aio_test::run(counts_tasks()); }

aio::coro<> measures_lag() {
  aio::event_loop& loop = aio::get_running_loop();
  aio::metrics::latency_histogram::snapshot s;
  aio::clock::duration last{};
  EXPECT_FALSE(aio::metrics::lag_monitor::read(loop, s, last));
  {
    const auto m = aio::metrics::lag_monitor::shared(loop);
    EXPECT_EQ(m, aio::metrics::lag_monitor::shared(loop));  // one per loop
    co_await aio::sleep(150ms);                             // one tick at least (every 100 ms)
    EXPECT_TRUE(aio::metrics::lag_monitor::read(loop, s, last));
    EXPECT_GE(s.count, 1U);
    const std::string text = aio::metrics::scrape(loop);
    EXPECT_NE(text.find("# TYPE aio_loop_lag_seconds histogram\n"), std::string::npos) << text;
  }
  EXPECT_FALSE(aio::metrics::lag_monitor::read(loop, s, last));  // stopped with its last owner
}

TEST(Metrics, LagMonitor) { aio_test::run(measures_lag(), aio_test::k_real); }

aio::coro<> lag_is_seen() {
  aio::event_loop& loop = aio::get_running_loop();
  aio::metrics::lag_monitor m(loop, 20ms);
  co_await aio::sleep(10ms);
  std::this_thread::sleep_for(80ms);  // the tick due at 20 ms runs ~70 ms late
  co_await aio::sleep(1ms);
  const auto s = m.read();
  EXPECT_GE(s.count, 1U);
  EXPECT_GE(m.last(), 50ms);
  EXPECT_GE(s.sum, 0.05);
}

TEST(Metrics, LagMonitorSeesABlockedLoop) { aio_test::run(lag_is_seen(), aio_test::k_real); }

aio::coro<> scrapes() {
  aio::event_loop& loop = aio::get_running_loop();
  int calls = 0;
  {
    const aio::metrics::registration reg =
        aio::metrics::add_collector([&calls](aio::metrics::exposition& out) {
          ++calls;
          out.family("my_widgets", "gauge", "Widgets.");
          out.sample("my_widgets", {}, 7);
        });
    const std::string text = aio::metrics::scrape(loop);
    for (const char* family :
         {"aio_tasks_created_total ", "aio_tasks_live 1", "aio_loop_ready ", "aio_loop_timers 0",
          "aio_process_open_fds ", "aio_to_thread_queued 0", "aio_loop_iterations_total ", "my_widgets 7"}) {
      EXPECT_NE(text.find(std::string("\n") + family), std::string::npos) << family << " in\n" << text;
    }
    EXPECT_EQ(text.find("aio_loop_lag_seconds"), std::string::npos);  // no monitor runs
  }
  const std::string text = aio::metrics::scrape(loop);
  EXPECT_EQ(text.find("my_widgets"), std::string::npos);
  EXPECT_EQ(calls, 1);
  co_return;
}

TEST(Metrics, ScrapeWithCollectors) { aio_test::run(scrapes()); }

}  // namespace
