#include "aio/pg/errors.hpp"

#include <string>
#include <utility>

namespace aio::pg {

namespace {

std::string describe(const std::string& sqlstate, const std::string& message, const std::string& detail) {
  std::string out = "aio::pg: " + message;
  if (!detail.empty()) out += " (" + detail + ")";
  if (!sqlstate.empty()) out += " [SQLSTATE " + sqlstate + "]";
  return out;
}

}  // namespace

postgres_error::postgres_error(std::string sqlstate, std::string message, std::string detail,
                               std::string hint)
    : std::runtime_error(describe(sqlstate, message, detail)),
      m_sqlstate(std::move(sqlstate)),
      m_message(std::move(message)),
      m_detail(std::move(detail)),
      m_hint(std::move(hint)) {}

executemany_error::executemany_error(const postgres_error& e, std::size_t row)
    : postgres_error(e),
      m_row(row),
      m_what("aio::pg: executemany row " + std::to_string(row) + ": " +
             std::string(e.what()).substr(std::string("aio::pg: ").size())) {}

}  // namespace aio::pg
