#pragma once
/// @file request_options.hpp
/// `aio::http::request_options`: the per-request arguments of every `client_session` method
/// (aiohttp's keyword arguments), and the small non-owning types it is made of.
///
/// Every member is a view, trivially destructible, or held in an `optional_arg`, so the options may be
/// written braced inside `co_await` with g++ 12 too (docs/design/compilers.md). The session copies what
/// it needs when the method is called, so the viewed objects only have to live until then.

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/http/client/body_stream.hpp"
#include "aio/http/client/client_timeout.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/json_ref.hpp"
#include "aio/http/query.hpp"
#include "aio/optional_arg.hpp"

namespace aio::http {

namespace detail {
/// A (name, value) position of `field_list`'s braced form that may be left out.
struct field_slot {
  field_slot() = default;
  field_slot(std::string_view n, std::string_view v) noexcept : name(n), value(v), set(true) {}
  std::string_view name;
  std::string_view value;
  bool set = false;
};
}  // namespace detail

/// A read-only view of (name, value) pairs: a `query_params`, a `headers`, a vector of string pairs, or
/// a braced list of up to `max_inline` pairs written in the call, `{.params = {{"a", "1"}, {"b", "2"}}}`
/// (the strings must live until the call returns, as literals and the call's temporaries do).
///
/// A view, like `std::string_view`: never keep a named `field_list` of temporaries; name the owning
/// `query_params` or `headers` instead. The braced form is a fixed set of optional positions, not a
/// `std::initializer_list`, which g++ 12 cannot compile inside `co_await` (docs/design/compilers.md).
class field_list {  // NOLINT(bugprone-reserved-identifier): clang-tidy 14 flags an implicit name here
 public:
  using owned_pair = std::pair<std::string, std::string>;
  using view_pair = std::pair<std::string_view, std::string_view>;
  using slot = detail::field_slot;
  static constexpr std::size_t max_inline = 12;

  field_list() = default;
  // The owning sources are templates so that a braced list never reaches their own list or
  // iterator-pair constructors (`{{"a", "1"}}` would otherwise be ambiguous).
  template <class V>
  requires std::is_same_v<V, std::vector<owned_pair>> field_list(const V& v)
  noexcept  // NOLINT
      : m_owned(v.data()), m_size(v.size()) {}
  template <class H>
  requires std::is_same_v<H, headers> field_list(const H& h)
  noexcept  // NOLINT
      : m_owned(h.empty() ? nullptr : &*h.begin()), m_size(h.size()) {}
  template <class V>
  requires std::is_same_v<V, std::vector<view_pair>> field_list(const V& v)
  noexcept  // NOLINT
      : m_views(v.data()), m_size(v.size()) {}
  // NOLINTBEGIN(google-explicit-constructor): the braced form
  field_list(view_pair p1, slot p2 = {}, slot p3 = {}, slot p4 = {}, slot p5 = {}, slot p6 = {}, slot p7 = {},
             slot p8 = {}, slot p9 = {}, slot p10 = {}, slot p11 = {}, slot p12 = {}) noexcept
      : m_size(1) {
    m_inline[0] = p1;
    for (const slot* p : {&p2, &p3, &p4, &p5, &p6, &p7, &p8, &p9, &p10, &p11, &p12}) {
      if (!p->set) break;
      m_inline[m_size++] = {p->name, p->value};
    }
  }
  // NOLINTEND(google-explicit-constructor)

  [[nodiscard]] std::size_t size() const noexcept { return m_size; }
  [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
  /// The `i`-th pair as views.
  [[nodiscard]] view_pair operator[](std::size_t i) const noexcept {
    if (m_owned != nullptr) return {m_owned[i].first, m_owned[i].second};
    if (m_views != nullptr) return m_views[i];
    return m_inline[i];
  }
  /// Calls `fn(name, value)` for every pair in order.
  template <class F>
  void for_each(F&& fn) const {
    for (std::size_t i = 0; i < m_size; ++i) {
      auto [n, v] = (*this)[i];
      fn(n, v);
    }
  }

 private:
  // Never a pointer into this object: g++ 12 copies it byte by byte (docs/design/compilers.md).
  const owned_pair* m_owned = nullptr;
  const view_pair* m_views = nullptr;
  std::size_t m_size = 0;
  view_pair m_inline[max_inline]{};
};

/// HTTP Basic credentials (aiohttp's `BasicAuth`): sent as `Authorization: Basic base64(login:password)`.
/// Views: the session copies them.
struct basic_auth {
  std::string_view login{};
  std::string_view password{};
};

/// The per-request options, the same for every method (`get`, `post`, ..., `request`).
///
/// At most one of `json`, `data`, `body` and `stream` may be given (`std::invalid_argument` otherwise).
/// @par Example
/// @code
/// auto resp = co_await session.get("https://example.org/search",
///                                   {.params = {{"q", "coroutines"}, {"page", "2"}}});
/// @endcode
struct request_options {
  /// Added to the URL's query string, percent-encoded (after the URL's own items).
  field_list params{};
  /// Request headers; they replace the session's default headers of the same name.
  field_list headers{};
  /// A JSON body (`Content-Type: application/json` unless `headers` sets one).
  json_ref json{};
  /// Form fields, sent as `application/x-www-form-urlencoded`.
  field_list data{};
  /// A raw body (`Content-Type` from `headers`, else none). Views the bytes: they must stay valid until
  /// the request has been sent (the end of the `co_await`).
  std::optional<std::string_view> body{};
  /// Time limits for this request (default: the session's).
  std::optional<client_timeout> timeout{};
  // --- aio additions -------------------------------------------------------------------------
  /// Follow 301/302/303/307/308 redirects. Unset: yes, except for `head()` (HEAD requests), as
  /// aiohttp's `allow_redirects=False` default of `session.head`.
  std::optional<bool> allow_redirects{};
  /// At most this many redirects are followed; one more throws `too_many_redirects`.
  int max_redirects = 10;
  /// Credentials for this request (default: the session's, else the URL's user info).
  std::optional<basic_auth> auth{};
  /// Cookies sent with this request in addition to the jar's.
  field_list cookies{};
  /// Send the body with `Transfer-Encoding: chunked` instead of Content-Length.
  bool chunked = false;
  /// Call `raise_for_status()` on the final response (default: the session's setting).
  std::optional<bool> raise_for_status{};
  /// A body produced while it is sent (aiohttp's `data=` async generator); see `body_stream`. Sent
  /// chunked unless `headers` give a Content-Length. A redirect that would send the body again
  /// (307, 308) is not followed: that response is returned.
  body_stream stream{};
  /// Send `Expect: 100-continue` and hold the body back until the server answers `100 Continue`
  /// (aiohttp's `expect100=True`; also when `headers` carry that Expect). A final status instead
  /// (401, 413, 417 ...) is returned without sending the body, and the connection is then closed,
  /// not pooled. Without an answer within `expect100_timeout`, the body is sent anyway.
  bool expect100 = false;
  /// How long to wait for `100 Continue` (unset: until the response, as aiohttp). One second by
  /// default, as curl: RFC 9110 section 10.1.1 asks clients not to wait indefinitely, since old
  /// servers never send 100.
  std::optional<std::chrono::duration<double>> expect100_timeout = std::chrono::seconds(1);
  /// The most bytes a gzip/deflate body may decode to (default: the session's
  /// `max_decompress_size`, 32 MiB; 0: no limit). Past it the body's reads throw
  /// `client_payload_error`.
  std::optional<std::size_t> max_decompress_size{};
};

}  // namespace aio::http
