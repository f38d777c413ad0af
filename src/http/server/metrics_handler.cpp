// aio::http::metrics_handler: aio::metrics::scrape of the serving loop, as text/plain 0.0.4.

#include "aio/http/server/metrics_handler.hpp"

#include <string>

#include "aio/debug/metrics.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/server/response.hpp"

namespace aio::http {

handler metrics_handler() {
  return [](request&) -> coro<response> {
    response r(200, metrics::scrape(get_running_loop()));
    r.set_content_type(std::string(metrics::k_content_type));
    co_return r;
  };
}

}  // namespace aio::http
