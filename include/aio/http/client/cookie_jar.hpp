#pragma once
/// @file cookie_jar.hpp
/// `aio::http::cookie_jar`: the cookies a `client_session` stores and sends back (aiohttp's
/// `CookieJar`, RFC 6265 section 5 reduced to what HTTP clients meet).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/http/url.hpp"

namespace aio::http {

/// One stored cookie.
struct cookie {
  std::string name;
  std::string value;
  std::string domain;     ///< lower-case, without a leading dot
  bool host_only = true;  ///< no Domain attribute: sent to exactly `domain`, not its subdomains
  std::string path = "/";
  std::optional<std::chrono::system_clock::time_point> expires{};  ///< none: a session cookie
  bool secure = false;                                             ///< only sent over https/wss
  bool http_only = false;
};

/// Stores cookies from `Set-Cookie` response headers and builds the `Cookie` header of requests.
///
/// Understood attributes: Domain (must domain-match the request host; a cookie for another domain is
/// refused), Path (default: the request path's directory), Expires and Max-Age (Max-Age wins; a past
/// time deletes the cookie), Secure, HttpOnly. As aiohttp's `CookieJar(unsafe=False)`, a jar refuses
/// cookies from IP-address hosts (127.0.0.1, [::1]) and sends none to them unless it was made
/// `unsafe` (`cookie_jar(true)`, or the session option `unsafe_cookies`); cookies set with `set()`
/// are stored either way.
///
/// @par Thread safety
/// A value type: use one jar from one thread at a time.
class cookie_jar {
 public:
  cookie_jar() = default;
  /// `unsafe`: also accept cookies from, and send them to, IP-address hosts (aiohttp's `unsafe=True`).
  explicit cookie_jar(bool unsafe) noexcept : m_unsafe(unsafe) {}

  /// Parses one `Set-Cookie` value received in answer to a request for `from`; malformed values are
  /// ignored (as browsers do).
  void update(std::string_view set_cookie, const url& from);
  /// Sets a cookie directly (as if received from `from`).
  void set(std::string_view name, std::string_view value, const url& from);
  /// The `Cookie` header value for a request to `to` ("a=1; b=2"), or "" when no cookie matches.
  /// Longer paths come first (RFC 6265 section 5.4).
  [[nodiscard]] std::string header_for(const url& to) const;
  /// The stored cookies (expired ones are dropped when found).
  [[nodiscard]] const std::vector<cookie>& cookies() const noexcept { return m_cookies; }
  [[nodiscard]] std::size_t size() const noexcept { return m_cookies.size(); }
  void clear() noexcept { m_cookies.clear(); }
  /// Whether IP-address hosts get cookies.
  [[nodiscard]] bool unsafe() const noexcept { return m_unsafe; }

 private:
  void store(std::string_view set_cookie, const url& from);

  std::vector<cookie> m_cookies;
  bool m_unsafe = false;
};

}  // namespace aio::http
