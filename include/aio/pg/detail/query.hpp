#pragma once
/// @file query.hpp
/// What a connection sends (one `query_request`) and what it gets back (one `query_result`), and the
/// encoding of C++ arguments as text-format parameters ($1, $2, ...).

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/pg/record.hpp"
#include "aio/pg/value.hpp"

namespace aio::pg::detail {

/// Parameters in the text format; std::nullopt is SQL NULL.
using params = std::vector<std::optional<std::string>>;

enum class request_kind {
  simple,       ///< PQsendQuery: no parameters, several statements allowed (execute without args)
  with_params,  ///< PQsendQueryParams
  prepare,      ///< PQsendPrepare of `sql` as `name`
  prepared,     ///< PQsendQueryPrepared of `name`
};

struct query_request {
  request_kind kind = request_kind::with_params;
  std::string sql{};
  std::string name{};
  detail::params args{};
};

/// `executemany`: one statement run once per row of parameters, in one pipeline.
struct batch_request {
  std::string sql{};
  std::vector<detail::params> rows{};
};

struct query_result {
  std::string status;  ///< the command tag: "SELECT 2", "INSERT 0 1"
  std::vector<record> rows;
};

inline std::optional<std::string> to_param(std::nullopt_t /*null*/) { return std::nullopt; }
inline std::optional<std::string> to_param(std::nullptr_t /*null*/) { return std::nullopt; }
inline std::optional<std::string> to_param(bool b) { return std::string(b ? "true" : "false"); }
inline std::optional<std::string> to_param(std::string_view s) { return std::string(s); }
inline std::optional<std::string> to_param(const char* s) { return std::string(s); }
inline std::optional<std::string> to_param(std::string s) { return s; }
inline std::optional<std::string> to_param(const value& v) { return v.text(); }

template <class T>
requires(std::integral<T> && !std::same_as<T, bool> &&
         !std::same_as<T, char>) std::optional<std::string> to_param(T n) {
  return std::to_string(n);
}

template <std::floating_point T>
std::optional<std::string> to_param(T x) {
  if (std::isnan(x)) return std::string("NaN");
  if (std::isinf(x)) return std::string(x > 0 ? "Infinity" : "-Infinity");
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest text that reads back exactly
  return std::string(buf, r.ptr);
}

template <class T>
std::optional<std::string> to_param(const std::optional<T>& o) {
  if (!o) return std::nullopt;
  return to_param(*o);
}

template <class... Args>
params make_params(Args&&... args) {
  params out;
  out.reserve(sizeof...(Args));
  (out.push_back(to_param(std::forward<Args>(args))), ...);
  return out;
}

/// One row of `executemany`: a tuple-like (std::tuple, std::pair, std::array) gives one parameter
/// per element; another range (std::vector<std::string>, detail::params, ...) one per item.
template <class Row>
params row_params(const Row& row) {
  if constexpr (requires { std::tuple_size<Row>::value; }) {
    return std::apply([](const auto&... xs) { return make_params(xs...); }, row);
  } else {
    params out;
    for (const auto& x : row) out.push_back(to_param(x));
    return out;
  }
}

}  // namespace aio::pg::detail
