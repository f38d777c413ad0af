// Text-format parsing of result fields, and record lookups. PostgreSQL prints booleans as t/f,
// integers in decimal, floats with "Infinity"/"-Infinity"/"NaN" for the special values.

#include "aio/pg/value.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>

#include "aio/pg/record.hpp"

namespace aio::pg {

namespace {

[[noreturn]] void throw_bad(std::string_view text, const char* type) {
  throw conversion_error("aio::pg: cannot convert \"" + std::string(text) + "\" to " + type);
}

template <class I>
void parse_integer(std::string_view text, I& out, const char* type) {
  const auto* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, out);
  if (r.ec == std::errc::result_out_of_range) {
    throw conversion_error("aio::pg: \"" + std::string(text) + "\" is out of range for " + type);
  }
  if (r.ec != std::errc() || r.ptr != end || text.empty()) throw_bad(text, type);
}

}  // namespace

void value::throw_null() {
  throw conversion_error("aio::pg: the value is NULL (ask for a std::optional to accept NULL)");
}

namespace detail {

void parse_text(std::string_view text, bool& out) {
  if (text == "t" || text == "true") {
    out = true;
  } else if (text == "f" || text == "false") {
    out = false;
  } else {
    throw_bad(text, "bool");
  }
}

void parse_text(std::string_view text, int& out) { parse_integer(text, out, "int"); }
void parse_text(std::string_view text, long& out) { parse_integer(text, out, "long"); }
void parse_text(std::string_view text, long long& out) { parse_integer(text, out, "long long"); }

void parse_text(std::string_view text, double& out) {
  if (text == "Infinity") {
    out = std::numeric_limits<double>::infinity();
    return;
  }
  if (text == "-Infinity") {
    out = -std::numeric_limits<double>::infinity();
    return;
  }
  if (text == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  const auto* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, out);
  if (r.ec != std::errc() || r.ptr != end || text.empty()) throw_bad(text, "double");
}

void parse_text(std::string_view text, std::string& out) { out.assign(text); }

}  // namespace detail

const std::vector<std::string>& record::columns() const {
  static const std::vector<std::string> none;
  return m_columns ? *m_columns : none;
}

const value& record::at(std::size_t i) const {
  if (i >= m_values.size()) {
    throw conversion_error("aio::pg: column index " + std::to_string(i) +
                           " is out of range (the record has " + std::to_string(m_values.size()) +
                           " columns)");
  }
  return m_values[i];
}

const value& record::operator[](std::string_view name) const {
  const auto& cols = columns();
  for (std::size_t i = 0; i < cols.size() && i < m_values.size(); ++i) {
    if (cols[i] == name) return m_values[i];
  }
  std::string known;
  for (const auto& c : cols) known += (known.empty() ? "" : ", ") + c;
  throw conversion_error("aio::pg: no column named \"" + std::string(name) + "\" (columns: " + known + ")");
}

std::string record::column_name(std::size_t i) const {
  const auto& cols = columns();
  return i < cols.size() ? cols[i] : std::to_string(i);
}

void record::throw_in_column(const conversion_error& e, const std::string& column) {
  throw conversion_error(std::string(e.what()) + " (column \"" + column + "\")");
}

}  // namespace aio::pg
