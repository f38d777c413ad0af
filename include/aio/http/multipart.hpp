#pragma once
/// @file multipart.hpp
/// `multipart/form-data` bodies (RFC 7578): parsed into parts on the server, built by `form_data`
/// on the client (aiohttp's `FormData`).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/http/headers.hpp"

namespace aio::http {

/// One part of a multipart body.
struct multipart_part {
  aio::http::headers headers;           ///< the part's own headers
  std::string name;                     ///< Content-Disposition `name` (the form field)
  std::optional<std::string> filename;  ///< Content-Disposition `filename` (or `filename*`), for files
  std::string content_type;             ///< the part's Content-Type ("" if absent: text/plain)
  std::string body;                     ///< the content, as sent
};

/// Splits a multipart body into its parts.
///
/// `boundary` is the Content-Type's `boundary` parameter. The preamble and epilogue are ignored.
/// @par Errors
/// `body_error` for a bad boundary, a body without the opening or closing delimiter, a part whose
/// headers are malformed, or more than `max_parts` parts.
[[nodiscard]] std::vector<multipart_part> parse_multipart(std::string_view body, std::string_view boundary,
                                                          std::size_t max_parts = 1000);

/// Builds a `multipart/form-data` body of fields and files.
///
/// Field names and file names are escaped as browsers do (`"` as %22, CR and LF as %0D and %0A).
///
/// @par Errors
/// `std::invalid_argument` if a constructor's boundary is invalid, or `body()` finds the boundary
/// inside a part (only possible with a caller-chosen boundary).
///
/// @par Example
/// @code
/// aio::http::form_data form;
/// form.add_field("title", "holiday");
/// form.add_file("photo", "beach.jpg", jpeg_bytes, "image/jpeg");
/// headers.set("Content-Type", form.content_type());
/// std::string body = form.body();
/// @endcode
class form_data {
 public:
  /// A builder with a random boundary.
  form_data();
  /// A builder with the given boundary (1 to 70 characters of RFC 2046's set).
  explicit form_data(std::string boundary);

  /// Adds a text field (`content_type` empty: no Content-Type header, meaning text/plain).
  void add_field(std::string_view name, std::string value, std::string content_type = {});
  /// Adds a file.
  void add_file(std::string_view name, std::string_view filename, std::string data,
                std::string content_type = "application/octet-stream");

  [[nodiscard]] const std::string& boundary() const noexcept { return m_boundary; }
  /// The Content-Type header value: `multipart/form-data; boundary=...`.
  [[nodiscard]] std::string content_type() const;
  /// The encoded body.
  [[nodiscard]] std::string body() const;
  [[nodiscard]] const std::vector<multipart_part>& parts() const noexcept { return m_parts; }

 private:
  std::string m_boundary;
  std::vector<multipart_part> m_parts;
};

}  // namespace aio::http
