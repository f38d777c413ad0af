#pragma once
/// @file application.hpp
/// `aio::http::application`: routes, middlewares and lifecycle hooks (aiohttp's `web.Application`).

#include <cstddef>
#include <functional>
#include <vector>

#include "aio/http/server/response.hpp"
#include "aio/http/server/router.hpp"
#include "aio/task/coro.hpp"

namespace aio::http {

class request;
class application;

/// What a middleware calls to run the rest of the chain (the next middleware, then the handler).
/// Cheap to copy; valid while the middleware runs.
class next_handler {
 public:
  coro<response> operator()(request& req) const;

 private:
  friend class application;
  next_handler(const application* app, std::size_t index, const handler* target) noexcept
      : m_app(app), m_index(index), m_target(target) {}
  const application* m_app;
  std::size_t m_index;
  const handler* m_target;
};

/// A middleware: `aio::coro<response>(request&, next_handler next)`; it may change the request,
/// call `co_await next(req)` (or not), and change or replace the response. Exceptions pass through.
using middleware = std::function<coro<response>(request&, next_handler)>;

/// A startup / cleanup hook (aiohttp's `app.on_startup.append(...)`).
using app_hook = std::function<coro<>(application&)>;

/// An HTTP application: a router, middlewares and hooks. Serve it with `run_app` or `serve`.
///
/// Middlewares run in the order added (the first is the outermost) for every request, including
/// those that end in 404 or 405 (the innermost `next` then returns that response). `on_startup`
/// hooks run in order before the server accepts connections; `on_cleanup` hooks in order after it
/// stopped (also when a startup hook failed, for the hooks that had run... see docs).
///
/// @par Thread safety
/// Configure it before serving. With several workers the same application (router, handlers,
/// middlewares) serves requests on several threads at once: handlers must be thread-safe then.
///
/// @par Example
/// @code
/// aio::http::application app;
/// app.router().add_get("/", [](aio::http::request&) -> aio::coro<aio::http::response> {
///   co_return aio::http::text_response("Hello, World!");
/// });
/// co_await aio::http::run_app(app, {.port = 8080});
/// @endcode
class application {
 public:
  application() = default;
  application(const application&) = delete;
  application& operator=(const application&) = delete;
  /// Movable while not being served.
  application(application&&) noexcept = default;
  application& operator=(application&&) noexcept = default;
  ~application() = default;

  [[nodiscard]] aio::http::router& router() noexcept { return m_router; }
  [[nodiscard]] const aio::http::router& router() const noexcept { return m_router; }
  /// Appends a middleware (it runs inside those added before it).
  void add_middleware(middleware m) { m_middlewares.push_back(std::move(m)); }
  [[nodiscard]] const std::vector<middleware>& middlewares() const noexcept { return m_middlewares; }
  /// Hooks run before serving starts, in order.
  [[nodiscard]] std::vector<app_hook>& on_startup() noexcept { return m_on_startup; }
  /// Hooks run after serving stopped, in order.
  [[nodiscard]] std::vector<app_hook>& on_cleanup() noexcept { return m_on_cleanup; }

  /// Runs the middleware chain and `target` (nullptr: the 404/405 response `fallback`).
  [[nodiscard]] coro<response> dispatch(request& req, const handler* target) const;

 private:
  friend class next_handler;
  aio::http::router m_router;
  std::vector<middleware> m_middlewares;
  std::vector<app_hook> m_on_startup;
  std::vector<app_hook> m_on_cleanup;
};

}  // namespace aio::http
