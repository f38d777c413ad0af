#pragma once
/// @file content_type.hpp
/// `aio::http::content_type`: a parsed Content-Type value (media type and parameters).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::http {

/// A media type with its parameters: `text/html; charset="UTF-8"` is type "text/html" with
/// parameter charset = "UTF-8".
///
/// The type and parameter names are lower-cased; parameter values are unquoted (backslash escapes
/// resolved) and keep their case.
///
/// @par Errors
/// None: `parse` is lenient like browsers: a missing or malformed type gives an empty `mime_type()`,
/// malformed parameters are skipped.
///
/// @par Example
/// @code
/// auto ct = aio::http::content_type::parse("multipart/form-data; boundary=\"x y\"");
/// ct.mime_type();         // "multipart/form-data"
/// ct.param("boundary");   // "x y"
/// @endcode
class content_type {
 public:
  content_type() = default;
  /// Parses a Content-Type header value.
  [[nodiscard]] static content_type parse(std::string_view value);

  /// "type/subtype", lower case ("" if the value had none).
  [[nodiscard]] const std::string& mime_type() const noexcept { return m_mime; }
  /// The value of parameter `name` (case-insensitive), if present.
  [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const noexcept;
  /// The `charset` parameter lower-cased, if present ("utf-8").
  [[nodiscard]] std::optional<std::string> charset() const;
  /// Every parameter in order.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& params() const noexcept {
    return m_params;
  }
  /// True for `application/json` and `application/*+json`.
  [[nodiscard]] bool is_json() const noexcept;
  /// True for `text/*`.
  [[nodiscard]] bool is_text() const noexcept { return m_mime.starts_with("text/"); }

 private:
  std::string m_mime;
  std::vector<std::pair<std::string, std::string>> m_params;
};

}  // namespace aio::http
