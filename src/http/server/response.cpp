// aio::http::http_error.

#include "aio/http/server/response.hpp"

#include "aio/http/status.hpp"

namespace aio::http {

namespace {
std::string default_text(int status) {
  return std::to_string(status) + ": " + std::string(reason_phrase(status));
}
}  // namespace

http_error::http_error(int status, std::string text)
    : std::runtime_error(text.empty() ? default_text(status) : std::move(text)), m_status(status) {}

response http_error::to_response() const {
  response r(m_status, status_has_no_body(m_status) ? std::string() : std::string(what()));
  r.headers() = m_headers;
  return r;
}

}  // namespace aio::http
