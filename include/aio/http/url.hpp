#pragma once
/// @file url.hpp
/// `aio::http::url`: a parsed absolute URL (yarl's `URL`, the part aiohttp uses).

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aio/http/query.hpp"

namespace aio::http {

/// Thrown when a string is not a URL aio can use; `what()` names the URL and the reason.
class invalid_url : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
  invalid_url() : std::invalid_argument("invalid URL") {}
};

/// An absolute URL split into its RFC 3986 components.
///
/// The scheme and host are lower-cased; the path, query and fragment are kept percent-encoded as
/// given, except that bytes a URL may not contain (space, non-ASCII, '"', '<' ...) are percent-encoded
/// on the way in, as browsers and yarl do. An empty path of a URL with an authority reads as "/".
/// A port equal to the scheme's default (80 for http and ws, 443 for https and wss) is dropped.
///
/// @par Errors
/// `parse` and `join` throw `invalid_url`: no scheme, a bad scheme, a missing host for http(s)/ws(s),
/// a bad port, an unterminated or malformed IPv6 literal, a control character anywhere, a non-ASCII
/// host (IDNA is not supported).
///
/// @par Thread safety
/// A value type: distinct objects may be used from distinct threads.
///
/// @par Example
/// @code
/// auto u = aio::http::url::parse("https://user:pw@example.com:8443/a/b?x=1#top");
/// u.host();                       // "example.com"
/// u.port();                       // 8443
/// u.join("../c?y=2").to_string(); // "https://user:pw@example.com:8443/c?y=2"
/// @endcode
class url {
 public:
  /// An empty URL (no scheme, no host); only useful as a target of assignment.
  url() = default;

  /// Parses an absolute URL.
  /// @par Errors
  /// `invalid_url` with the reason (see the class).
  [[nodiscard]] static url parse(std::string_view text);

  /// Lower-case scheme, without ':'.
  [[nodiscard]] std::string_view scheme() const noexcept { return m_scheme; }
  /// The user name, percent-decoded (empty if none).
  [[nodiscard]] std::string user() const;
  /// The password, percent-decoded (empty if none).
  [[nodiscard]] std::string password() const;
  /// True if the URL carries a user name or password.
  [[nodiscard]] bool has_userinfo() const noexcept { return m_has_userinfo; }
  /// The host, lower-cased, without the brackets of an IPv6 literal.
  [[nodiscard]] std::string_view host() const noexcept { return m_host; }
  /// True if the host is an IPv6 literal.
  [[nodiscard]] bool is_ipv6() const noexcept { return m_ipv6; }
  /// The port: the explicit one, else the scheme's default, else 0.
  [[nodiscard]] std::uint16_t port() const noexcept;
  /// The port written in the URL, if any (and not the scheme's default).
  [[nodiscard]] std::optional<std::uint16_t> explicit_port() const noexcept { return m_port; }
  /// The scheme's default port (80, 443), or 0 for other schemes.
  [[nodiscard]] static std::uint16_t default_port(std::string_view scheme) noexcept;
  /// The path, percent-encoded ("/" at least when there is a host).
  [[nodiscard]] std::string_view path() const noexcept { return m_path; }
  /// The path, percent-decoded.
  [[nodiscard]] std::string decoded_path() const;
  /// The query without '?', percent-encoded (empty if none).
  [[nodiscard]] std::string_view query() const noexcept { return m_query; }
  /// True if the URL has a '?' (even with an empty query).
  [[nodiscard]] bool has_query() const noexcept { return m_has_query; }
  /// The query, decoded into pairs.
  [[nodiscard]] http::query_params query_items() const { return parse_query(m_query); }
  /// The fragment without '#', percent-encoded (empty if none).
  [[nodiscard]] std::string_view fragment() const noexcept { return m_fragment; }
  /// True if the URL has a '#'.
  [[nodiscard]] bool has_fragment() const noexcept { return m_has_fragment; }

  /// The request-target of an HTTP/1.1 request: path, then '?' and the query if any.
  [[nodiscard]] std::string target() const;
  /// The value of a `Host` header: host (bracketed if IPv6), then ":port" if not the default.
  [[nodiscard]] std::string host_header() const;
  /// The URL as a string (normalised: lower-case scheme and host, default port dropped).
  [[nodiscard]] std::string to_string() const;

  /// A copy whose query is `params`, encoded (no query if empty).
  [[nodiscard]] url with_query(const query_params& params) const;
  /// A copy whose query is `raw` (already encoded; bytes a query may not hold are encoded).
  [[nodiscard]] url with_raw_query(std::string_view raw) const;
  /// A copy without the fragment.
  [[nodiscard]] url without_fragment() const;
  /// Resolves a reference against this URL (RFC 3986 section 5.2: what a browser does with a
  /// `Location` header or a link).
  /// @par Errors
  /// `invalid_url` if the reference is malformed or the result lacks a host.
  [[nodiscard]] url join(std::string_view reference) const;

  friend bool operator==(const url& a, const url& b) = default;

 private:
  friend struct url_builder;
  std::string m_scheme;
  std::string m_user;      // encoded
  std::string m_password;  // encoded
  std::string m_host;
  std::optional<std::uint16_t> m_port;
  std::string m_path;
  std::string m_query;
  std::string m_fragment;
  bool m_has_userinfo = false;
  bool m_has_password = false;
  bool m_ipv6 = false;
  bool m_has_query = false;
  bool m_has_fragment = false;
};

}  // namespace aio::http
