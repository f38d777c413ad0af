#pragma once
/// @file dashboard.hpp
/// The live dashboard of `aio::run(main(), {.dashboard = "127.0.0.1:8089"})` (or `AIO_DASHBOARD`):
/// a page served by aio::http that follows the program over a WebSocket, twice a second: the task
/// tree with its await edges (`aio::capture_call_graph`), loop lag, tasks per second and the slowest
/// routes. See docs/design/metrics.md and docs/guide/debugging.md.
///
/// `run_options` belongs to core, which cannot include HTTP: this header, which <aio/http.hpp> and
/// <aio/aio.hpp> include, hands core the function that starts the dashboard when the program starts
/// (an inline variable's initialiser), so every program that includes aio::http has it.

#include <memory>
#include <string_view>

#include "aio/debug/metrics.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::http {

namespace detail {
/// Starts the dashboard on `loop` at `address` ("host:port", ":port" or "port": host 127.0.0.1);
/// prints its URL on stderr once it listens. The owner it returns stops it when destroyed.
/// @par Errors
/// `std::invalid_argument` for an address it cannot read (the bind itself fails later, printed).
std::shared_ptr<void> start_dashboard(event_loop& loop, std::string_view address);

inline const bool dashboard_registered = (metrics::detail::set_dashboard_starter(&start_dashboard), true);
}  // namespace detail

}  // namespace aio::http
