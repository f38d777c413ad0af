#pragma once
/// @file router.hpp
/// `aio::http::router`: maps a method and a path to a handler (aiohttp's `UrlDispatcher`).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aio/http/server/static_options.hpp"
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

  /// Serves the files under `directory` at `prefix` (GET and HEAD; aiohttp's `web.static`):
  /// `/prefix/a/b.css` sends `directory/a/b.css` through `file_response` (ranges, ETags, 304,
  /// precompressed `.br` / `.gz` siblings). The request path is normalised (empty and `.` segments
  /// dropped) and the request answered 404 when it has a `..` segment (also as `%2e%2e`), an encoded
  /// separator (`%2f`, `%5c`) or backslash, a NUL byte (`%00`), or names a file whose real path
  /// (symbolic links resolved) is outside `directory` unless `follow_symlinks`. A directory is 403,
  /// or an HTML index with `show_index`. The match is a prefix match in the order routes were added
  /// among the parameterised routes; `match_info("filename")` is the decoded rest of the path.
  ///
  /// @par Errors
  /// `std::invalid_argument` when `prefix` does not start with '/' or has '{' or '}', or when
  /// `directory` is not an existing directory.
  /// @par Example
  /// @code
  /// app.router().add_static("/static", "/srv/www", {.show_index = false, .follow_symlinks = false});
  /// @endcode
  router& add_static(std::string_view prefix, const std::filesystem::path& directory,
                     static_options opts = {});

  /// The outcome of `resolve`.
  struct resolution {
    const handler* target = nullptr;  ///< the handler, or nullptr for 404 / 405
    int status = 404;                 ///< 200 when found, else 404 or 405
    std::string allow;                ///< for 405: the methods the path accepts ("GET, HEAD")
    std::uint32_t route = 0;          ///< the path's index in `route_patterns()` (0: no path matched)
  };
  /// Finds the handler for `method` and the decoded `path`, filling `params`.
  [[nodiscard]] resolution resolve(std::string_view method, std::string_view path,
                                   match_params& params) const;
  /// The route paths as added (`/users/{id}`; `/static/{filename}` for add_static), indexed by
  /// `resolution::route`; index 0 is "" (no path matched). The metrics' `route` label.
  [[nodiscard]] const std::vector<std::string>& route_patterns() const noexcept;

 private:
  /// A route for every path under `prefix + "/"` (add_static); its one parameter is "filename".
  void add_prefix_route(std::string_view method, std::string_view prefix, handler h);

  struct impl;
  std::unique_ptr<impl> m_impl;
};

}  // namespace aio::http
