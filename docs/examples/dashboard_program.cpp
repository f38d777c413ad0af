// docs/guide/debugging.md's dashboard program: an HTTP application with a /metrics route, a background
// job that starts a "report" task awaiting a "fetch" task every few seconds, and the live dashboard.
// tests/browser/dashboard_test.sh runs it (with the dashboard on a free port) and watches the tasks
// come and go in headless Chromium.
//
//   dashboard_program [DASHBOARD_ADDRESS]   (default 127.0.0.1:8089; stops on SIGTERM or Ctrl+C)

#include <aio/aio.hpp>
#include <csignal>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

aio::coro<int> fetch_figures(int day) {
  co_await aio::sleep(3s);  // a slow upstream
  co_return day * 2;
}

aio::coro<> build_report(int day) {
  auto fetch = aio::create_task(fetch_figures(day), "fetch");
  const int figures = co_await fetch;  // the dashboard draws this await edge: report -> fetch
  std::printf("report %d: %d\n", day, figures);
  std::fflush(stdout);
}

aio::coro<> reports() {
  for (int day = 1;; ++day) {
    co_await aio::create_task(build_report(day), "report");
    co_await aio::sleep(3s);
  }
}

namespace demo {

aio::coro<> main() {
  aio::http::application app;
  app.router().add_get("/metrics", aio::http::metrics_handler());
  app.router().add_get("/hello", [](aio::http::request&) -> aio::coro<aio::http::response> {
    co_return aio::http::text_response("Hello, World!");
  });
  auto server = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  std::printf("app on http://127.0.0.1:%u/\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  aio::event stop;
  aio::get_running_loop().add_signal_handler(SIGTERM, [&stop] { stop.set(); });
  auto job = aio::create_task(reports(), "reports");
  co_await stop.wait();
  job.cancel();
  try {
    co_await job;
  } catch (const aio::cancelled_error&) {  // NOLINT(bugprone-empty-catch): we cancelled it
  }
  aio::get_running_loop().remove_signal_handler(SIGTERM);
  co_await server.shutdown();
}

void run(const std::string& address) {
  if (address.empty()) {
    aio::run(main(), {.dashboard = "127.0.0.1:8089"});
  } else {
    aio::run(main(), {.dashboard = address});  // the test's free port
  }
}

}  // namespace demo

int main(int argc, char** argv) { demo::run(argc > 1 ? argv[1] : ""); }
