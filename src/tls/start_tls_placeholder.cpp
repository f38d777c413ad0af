// Replaced by the TLS implementation (src/tls/tls_stream.cpp).
#include <stdexcept>

#include "aio/tls/detail/start_tls.hpp"

namespace aio::detail {
coro<> start_tls(stream_transport& /*t*/, const ssl_context& /*ctx*/, std::string /*server_hostname*/,
                 std::chrono::nanoseconds /*timeout*/) {
  throw std::runtime_error("aio: TLS is not built yet");
  co_return;
}
}  // namespace aio::detail
