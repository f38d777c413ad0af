// aio::http::metrics_handler and the server's request metrics: counts by route, method and status,
// latency histograms, malformed requests; the text parsed by the Prometheus Python client's parser
// (python3-prometheus-client; skipped when missing).

#include "aio/http/server/metrics_handler.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "aio/aio.hpp"
#include "server_test_util.hpp"
#include "test_support.hpp"

using aio::coro;
using aio::http::request;
using aio::http::response;
using server_test::raw_client;
using namespace std::chrono_literals;

namespace {

aio::http::application make_app() {
  aio::http::application app;
  app.router().add_get("/users/{id}", [](request& req) -> coro<response> {
    co_return aio::http::text_response("user " + std::string(req.match_info("id")));
  });
  app.router().add_get("/boom", [](request&) -> coro<response> {
    throw std::runtime_error("boom");
    co_return response{};
  });
  app.router().add_get("/slow", [](request&) -> coro<response> {
    co_await aio::sleep(30ms);
    co_return aio::http::text_response("slow");
  });
  app.router().add_get("/metrics", aio::http::metrics_handler());
  return app;
}

TEST(HttpRouter, RouteIndexes) {
  aio::http::router r;
  r.add_get("/a", [](request&) -> coro<response> { co_return response{}; });
  r.add_post("/u/{id}", [](request&) -> coro<response> { co_return response{}; });
  const auto& p = r.route_patterns();
  ASSERT_EQ(p.size(), 3U);
  EXPECT_EQ(p[0], "");
  EXPECT_EQ(p[1], "/a");
  EXPECT_EQ(p[2], "/u/{id}");
  aio::http::match_params params;
  EXPECT_EQ(r.resolve("GET", "/a", params).route, 1U);
  EXPECT_EQ(r.resolve("POST", "/u/7", params).route, 2U);
  const auto not_allowed = r.resolve("GET", "/u/7", params);
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(not_allowed.route, 2U);
  EXPECT_EQ(r.resolve("GET", "/nope", params).route, 0U);
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

std::string scrape_through_http() {
  auto app = make_app();
  std::string body;
  aio_test::run(
      [](aio::http::application& app, std::string& body) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        EXPECT_EQ((co_await c.request("GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n")).status, 200);
        EXPECT_EQ((co_await c.request("GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n")).status, 200);
        EXPECT_EQ((co_await c.request("HEAD /users/3 HTTP/1.1\r\nHost: x\r\n\r\n", true)).status, 200);
        EXPECT_EQ(
            (co_await c.request("POST /users/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")).status,
            405);
        EXPECT_EQ((co_await c.request("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")).status, 404);
        EXPECT_EQ((co_await c.request("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")).status, 500);
        EXPECT_EQ((co_await c.request("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")).status, 200);
        // A malformed request: 400, counted before routing, and the server goes on.
        auto bad = co_await raw_client::connect(srv.port());
        EXPECT_EQ((co_await bad.request("GARBAGE\r\n\r\n")).status, 400);
        bad.close();
        co_await aio::sleep(120ms);  // a lag tick (every 100 ms)
        const auto r = co_await c.request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.headers.get("Content-Type", ""), "text/plain; version=0.0.4; charset=utf-8");
        body = r.body;
        c.close();
        co_await srv.shutdown();
      }(app, body),
      {.clock = aio::real_clock});
  return body;
}

TEST(HttpMetrics, CountsByRouteMethodStatus) {
  const std::string t = "\n" + scrape_through_http();
  for (
      const char* line : {
          R"(aio_http_requests_total{route="/users/{id}",method="GET",status="200"} 2)",
          R"(aio_http_requests_total{route="/users/{id}",method="HEAD",status="200"} 1)",
          R"(aio_http_requests_total{route="/users/{id}",method="POST",status="405"} 1)",
          R"(aio_http_requests_total{route="unmatched",method="GET",status="404"} 1)",
          R"(aio_http_requests_total{route="/boom",method="GET",status="500"} 1)",
          R"(aio_http_request_duration_seconds_count{route="/slow",method="GET",status="200"} 1)",
          R"(aio_http_request_duration_seconds_bucket{route="/slow",method="GET",status="200",le="0.025"} 0)",
          R"(aio_http_request_duration_seconds_bucket{route="/slow",method="GET",status="200",le="0.05"} 1)",
          "aio_http_bad_requests_total 1",
          "aio_http_connections 1",
          "# TYPE aio_loop_lag_seconds histogram",
          "# TYPE aio_tasks_live gauge",
      }) {
    EXPECT_TRUE(has_line(t, line)) << line << "\nnot in:" << t;
  }
  // The scrape itself is counted after it was answered: the first one sees none of its own.
  EXPECT_EQ(t.find(R"(route="/metrics")"), std::string::npos);
}

// The Prometheus client library's own parser reads every family, with the types and values written.
TEST(HttpMetrics, ParsedByPrometheusClient) {
  if (std::system("/usr/bin/python3 -c 'import prometheus_client' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-prometheus-client is not installed (scripts/install-deps.sh installs it)";
  const std::string text = scrape_through_http();
  const auto dir = std::filesystem::temp_directory_path();
  const auto in = dir / ("aio_metrics_" + std::to_string(::getpid()) + ".txt");
  const auto out = dir / ("aio_metrics_" + std::to_string(::getpid()) + ".parsed");
  std::ofstream(in, std::ios::binary) << text;
  const std::string script = R"(
import sys
from prometheus_client.parser import text_string_to_metric_families
for f in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in f.samples:
        labels = ",".join(k + "=" + v for k, v in sorted(s.labels.items()))
        print(f.name, f.type, s.name, labels, repr(float(s.value)))
)";
  const std::string cmd =
      "/usr/bin/python3 -c '" + script + "' " + in.string() + " > " + out.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::stringstream parsed;
  parsed << std::ifstream(out).rdbuf();
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  ASSERT_EQ(status, 0) << parsed.str() << "\nthe text:\n" << text;
  const std::string p = "\n" + parsed.str();
  for (const char* line : {
           "aio_http_requests counter aio_http_requests_total method=GET,route=/users/{id},status=200 2.0",
           "aio_http_request_duration_seconds histogram aio_http_request_duration_seconds_count "
           "method=GET,route=/slow,status=200 1.0",
           "aio_http_request_duration_seconds histogram aio_http_request_duration_seconds_bucket "
           "le=+Inf,method=GET,route=/boom,status=500 1.0",
           "aio_loop_lag_seconds histogram aio_loop_lag_seconds_count  ",
           "aio_tasks_created counter aio_tasks_created_total  ",
           "aio_tasks_live gauge aio_tasks_live  ",
           "aio_loop_ready gauge aio_loop_ready  ",
           "aio_loop_timers gauge aio_loop_timers  ",
           "aio_process_open_fds gauge aio_process_open_fds  ",
           "aio_to_thread_queued gauge aio_to_thread_queued  ",
           "aio_http_bad_requests counter aio_http_bad_requests_total  1.0",
       }) {
    EXPECT_NE(p.find(std::string("\n") + line), std::string::npos) << line << "\nnot in:" << p;
  }
}

}  // namespace
