#pragma once
/// @file router.hpp
/// `aio::http::router`: maps a method and a path to a handler (aiohttp's `UrlDispatcher`).

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aio/task/coro.hpp"

namespace aio::http {

class request;
class response;

/// A request handler: `aio::coro<aio::http::response>(aio::http::request&)`.
using handler = std::function<coro<response>(request&)>;

/// The path parameters a route matched: (name, percent-decoded value) pairs.
using match_params = std::vector<std::pair<std::string_view, std::string>>;

/// Routes requests to handlers.
///
/// Paths are static (`/about`: one hash look-up, no allocation) or parameterised: `{name}` matches
/// one path segment (`[^/]+`), `{name:regex}` matches the regex (`{tail:.*}` the rest of the path).
/// Static routes are tried first, then parameterised ones in the order they were added. A path that
/// no route matches is 404; a path some route matches with another method is 405 with `Allow`.
/// `add_get` also answers HEAD (as aiohttp's `allow_head=True`); method "*" matches every method.
///
/// @par Errors
/// `std::invalid_argument` for a path not starting with '/', an unbalanced '{', an invalid regex,
/// or a method that is not a token.
/// @par Thread safety
/// Add routes before serving; afterwards the router is only read (workers share it).
class router {
 public:
  router();
  router(router&&) noexcept;
  router& operator=(router&&) noexcept;
  router(const router&) = delete;
  router& operator=(const router&) = delete;
  ~router();

  router& add_route(std::string_view method, std::string_view path, handler h);
  router& add_get(std::string_view path, handler h, bool allow_head = true);
  router& add_post(std::string_view path, handler h) { return add_route("POST", path, std::move(h)); }
  router& add_put(std::string_view path, handler h) { return add_route("PUT", path, std::move(h)); }
  router& add_patch(std::string_view path, handler h) { return add_route("PATCH", path, std::move(h)); }
  router& add_delete(std::string_view path, handler h) { return add_route("DELETE", path, std::move(h)); }
  router& add_head(std::string_view path, handler h) { return add_route("HEAD", path, std::move(h)); }

  /// The outcome of `resolve`.
  struct resolution {
    const handler* target = nullptr;  ///< the handler, or nullptr for 404 / 405
    int status = 404;                 ///< 200 when found, else 404 or 405
    std::string allow;                ///< for 405: the methods the path accepts ("GET, HEAD")
  };
  /// Finds the handler for `method` and the decoded `path`, filling `params`.
  [[nodiscard]] resolution resolve(std::string_view method, std::string_view path,
                                   match_params& params) const;

 private:
  struct impl;
  std::unique_ptr<impl> m_impl;
};

}  // namespace aio::http
