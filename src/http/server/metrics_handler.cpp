// aio::http::metrics_handler: aio::metrics::scrape of the serving loop, as text/plain 0.0.4.

#include "aio/http/server/metrics_handler.hpp"

#include <memory>
#include <mutex>
#include <vector>

#include "aio/debug/metrics.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/server/response.hpp"

namespace aio::http {

namespace {
/// The lag monitors the handler started, one per loop it answered on (workers share the handler).
struct monitors {
  std::mutex mutex;
  std::vector<std::unique_ptr<metrics::lag_monitor>> list;  // guarded by mutex

  void ensure(event_loop& loop) {
    metrics::latency_histogram::snapshot unused;
    clock::duration last{};
    if (metrics::lag_monitor::read(loop, unused, last)) return;
    const std::lock_guard<std::mutex> lock(mutex);
    list.push_back(std::make_unique<metrics::lag_monitor>(loop));
  }
};
}  // namespace

handler metrics_handler() {
  auto state = std::make_shared<monitors>();
  return [state](request&) -> coro<response> {
    event_loop& loop = get_running_loop();
    state->ensure(loop);
    response r(200, metrics::scrape(loop));
    r.set_content_type(std::string(metrics::k_content_type));
    co_return r;
  };
}

}  // namespace aio::http
