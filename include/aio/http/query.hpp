#pragma once
/// @file query.hpp
/// Percent-encoding and query strings (`application/x-www-form-urlencoded`), as Python's
/// `urllib.parse.quote`, `unquote_plus`, `parse_qsl` and `urlencode`.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::http {

/// An ordered list of (name, value) pairs: a query string or an urlencoded form, decoded.
using query_params = std::vector<std::pair<std::string, std::string>>;

/// Which part of a URL a string is encoded for; each keeps a different set of characters as is.
enum class url_component {
  userinfo,      ///< user or password: unreserved and sub-delims except ':' are kept
  path,          ///< a whole path: pchar and '/' are kept
  path_segment,  ///< one path segment: as path, but '/' is encoded
  query,         ///< a whole query string: pchar, '/' and '?' are kept (so '&' and '=' are kept)
  query_value,   ///< a query or form name or value: only unreserved kept, space becomes '+'
  fragment,      ///< a fragment: as query
};

/// Percent-encodes every byte of `s` that `component` does not allow as is (UTF-8 bytes included).
///
/// An existing '%' is always encoded (as `%25`): encode decoded text, not text already encoded.
[[nodiscard]] std::string percent_encode(std::string_view s, url_component component);

/// Decodes `%XX` escapes (and '+' as a space when `plus_as_space`).
///
/// @par Errors
/// None: a '%' not followed by two hex digits is kept as is, as Python's `unquote` does.
[[nodiscard]] std::string percent_decode(std::string_view s, bool plus_as_space = false);

/// Splits a query string (without the '?') into decoded pairs, '+' meaning space.
///
/// Empty items (`a=1&&b=2`) are skipped; an item without '=' has an empty value.
[[nodiscard]] query_params parse_query(std::string_view query);

/// Joins pairs into a query string: `url_component::query_value` encoding, '&' between pairs.
[[nodiscard]] std::string encode_query(const query_params& params);

/// Parses an `application/x-www-form-urlencoded` body (the same rules as a query string).
[[nodiscard]] inline query_params parse_form_urlencoded(std::string_view body) { return parse_query(body); }

/// Builds an `application/x-www-form-urlencoded` body.
[[nodiscard]] inline std::string encode_form_urlencoded(const query_params& fields) {
  return encode_query(fields);
}

}  // namespace aio::http
