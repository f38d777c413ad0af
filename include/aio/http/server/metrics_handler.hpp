#pragma once
/// @file metrics_handler.hpp
/// `aio::http::metrics_handler()`: a ready-made handler for Prometheus to scrape.
///
/// @code
/// app.router().add_get("/metrics", aio::http::metrics_handler());
/// @endcode
///
/// It answers with `aio::metrics::scrape` of the loop it runs on (include/aio/debug/metrics.hpp), in
/// the text exposition format: the loop's tasks, ready queue, timers, fds, lag and to_thread pool, the
/// HTTP server's requests by route, method and status with latency histograms, and whatever other
/// components registered (client pools, SQL queries). See docs/design/metrics.md.

#include "aio/http/server/router.hpp"

namespace aio::http {

/// The handler. The loop's lag comes from the `aio::metrics::lag_monitor` every serving loop runs (one
/// timer tick every 100 ms). Safe with `workers > 1`: each loop answers with its own counts and the
/// request counts of every site.
[[nodiscard]] handler metrics_handler();

}  // namespace aio::http
