#pragma once
/// @file value.hpp
/// `aio::pg::value`: one field of a result in PostgreSQL's text format, NULL or text, parsed on demand.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "aio/pg/errors.hpp"

namespace aio::pg {

class value;

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

/// Parsers for the text format (src/pg/value.cpp); each throws `conversion_error` naming the text.
void parse_text(std::string_view text, bool& out);
void parse_text(std::string_view text, int& out);
void parse_text(std::string_view text, long& out);
void parse_text(std::string_view text, long long& out);
void parse_text(std::string_view text, double& out);
void parse_text(std::string_view text, std::string& out);

}  // namespace detail

/// One field: NULL or the server's text for it (integers "42", booleans "t"/"f", floats "1.5",
/// "Infinity", "NaN"; other types as PostgreSQL prints them). Results use the text format throughout.
class value {
 public:
  value() = default;  ///< NULL
  explicit value(std::optional<std::string> text) : m_text(std::move(text)) {}

  [[nodiscard]] bool is_null() const noexcept { return !m_text.has_value(); }
  /// The text, or std::nullopt for NULL.
  [[nodiscard]] const std::optional<std::string>& text() const noexcept { return m_text; }

  /// Parses the text as `T`: bool, int, long, long long (int64), double, std::string, or
  /// std::optional of one of those (NULL gives std::nullopt).
  /// @par Errors
  /// `conversion_error` when the text does not parse as `T` ("aio::pg: cannot convert \"abc\" to an
  /// integer") or when the field is NULL and `T` is not an optional.
  template <class T>
  [[nodiscard]] T get() const {
    if constexpr (detail::is_optional<T>::value) {
      if (!m_text) return std::nullopt;
      return get<typename T::value_type>();
    } else {
      if (!m_text) throw_null();
      T out{};
      detail::parse_text(*m_text, out);
      return out;
    }
  }

  friend bool operator==(const value& a, const value& b) = default;

 private:
  [[noreturn]] static void throw_null();
  std::optional<std::string> m_text;
};

}  // namespace aio::pg
