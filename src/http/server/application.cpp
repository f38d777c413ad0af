// aio::http::application: the middleware chain.

#include "aio/http/server/application.hpp"

#include "aio/http/server/request.hpp"

namespace aio::http {

namespace {
/// The innermost step when no route matched: 404, or 405 with Allow.
coro<response> not_routed(int status, std::string allow) {
  response r(status, status == 405 ? "405: Method Not Allowed" : "404: Not Found");
  if (status == 405) r.headers().add("Allow", std::move(allow));
  co_return r;
}
}  // namespace

coro<response> next_handler::operator()(request& req) const {
  const auto& chain = m_app->m_middlewares;
  if (m_index < chain.size()) return chain[m_index](req, next_handler(m_app, m_index + 1, m_target));
  if (m_target != nullptr) return (*m_target)(req);
  return not_routed(req.m_route_status, req.m_allow);
}

coro<response> application::dispatch(request& req, const handler* target) const {
  return next_handler(this, 0, target)(req);
}

}  // namespace aio::http
