#pragma once
/// @file headers.hpp
/// `aio::http::headers`: an HTTP header multimap, case-insensitive and in insertion order (aiohttp's
/// `CIMultiDict`).

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::http {

/// True if `a` and `b` are equal ignoring ASCII case (header names, tokens, schemes).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

/// An ordered list of header fields whose names compare case-insensitively.
///
/// The fields are kept as a small vector of (name, value) pairs in the order they were added, so a
/// message is written back in the order it was built and a parsed message keeps the sender's order.
/// Look-ups are linear: a message has a few dozen fields at most, and a scan over one contiguous
/// vector beats hashing at that size. Names keep the spelling they were added with.
///
/// @par Errors
/// None of the members validate names or values; the serialiser rejects CR, LF and NUL when writing.
///
/// @par Thread safety
/// A value type: distinct objects may be used from distinct threads.
///
/// @par Example
/// @code
/// aio::http::headers h{{"Content-Type", "text/plain"}};
/// h.add("Set-Cookie", "a=1");
/// h.add("set-cookie", "b=2");
/// h.get("content-type");      // "text/plain"
/// h.get_all("SET-COOKIE");    // {"a=1", "b=2"}
/// @endcode
class headers {
 public:
  using value_type = std::pair<std::string, std::string>;
  using container = std::vector<value_type>;
  using const_iterator = container::const_iterator;
  using iterator = container::const_iterator;

  headers() = default;
  /// Adds every pair in order (duplicates kept).
  headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

  /// The first value of `name`, or nothing.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// The first value of `name`, or `fallback`.
  [[nodiscard]] std::string_view get(std::string_view name, std::string_view fallback) const noexcept;
  /// Every value of `name`, in order.
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;
  /// True if at least one field is called `name`.
  [[nodiscard]] bool contains(std::string_view name) const noexcept;
  /// The number of fields called `name`.
  [[nodiscard]] std::size_t count(std::string_view name) const noexcept;

  /// Appends a field, keeping any already there with that name.
  void add(std::string name, std::string value);
  /// Replaces every field called `name` by one field (at the position of the first, else at the end).
  void set(std::string_view name, std::string value);
  /// Adds the field only if no field has that name; returns the value now in force.
  std::string_view set_default(std::string_view name, std::string value);
  /// Removes every field called `name`; returns how many were removed.
  std::size_t erase(std::string_view name);
  /// Removes every field.
  void clear() noexcept { m_fields.clear(); }
  /// Reserves room for `n` fields.
  void reserve(std::size_t n) { m_fields.reserve(n); }

  [[nodiscard]] std::size_t size() const noexcept { return m_fields.size(); }
  [[nodiscard]] bool empty() const noexcept { return m_fields.empty(); }
  [[nodiscard]] const_iterator begin() const noexcept { return m_fields.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return m_fields.end(); }

  /// Equal when both hold the same fields in the same order (names compared case-insensitively).
  friend bool operator==(const headers& a, const headers& b) noexcept;

 private:
  container m_fields;
};

}  // namespace aio::http
