// One statement on the connection's thread: prepare, check, bind, step to the end, collect.

#include "statement.hpp"

#include <cctype>
#include <cstring>
#include <memory>
#include <string_view>

namespace aio::sqlite::detail {

namespace {

struct finalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using statement_ptr = std::unique_ptr<sqlite3_stmt, finalizer>;

/// Skips whitespace, ';' and SQL comments: what may follow the one statement of an `execute`.
std::string_view skip_blank(std::string_view s) {
  for (;;) {
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) != 0 || s.front() == ';')) {
      s.remove_prefix(1);
    }
    if (s.starts_with("--")) {
      const auto nl = s.find('\n');
      s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
    } else if (s.starts_with("/*")) {
      const auto end = s.find("*/", 2);
      s.remove_prefix(end == std::string_view::npos ? s.size() : end + 2);
    } else {
      return s;
    }
  }
}

/// Python's rule for an implicit BEGIN (and for rowcount): the statement starts with one of these.
bool is_dml(std::string_view sql) {
  sql = skip_blank(sql);
  for (const char* kw : {"INSERT", "UPDATE", "DELETE", "REPLACE"}) {
    const std::size_t n = std::strlen(kw);
    if (sql.size() < n) continue;
    bool same = true;
    for (std::size_t i = 0; i < n && same; ++i) {
      same = std::toupper(static_cast<unsigned char>(sql[i])) == kw[i];
    }
    if (same) return true;
  }
  return false;
}

void exec(sqlite3* db, const std::string& sql) {
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_error(db, rc, sql);
}

/// Opens the implicit transaction before a DML statement, as Python 3.11 does.
void begin_if_needed(core& c, sqlite3* db, std::string_view sql) {
  const isolation_level level = c.opts().isolation_level;
  if (level == isolation_level::autocommit || sqlite3_get_autocommit(db) == 0 || !is_dml(sql)) return;
  exec(db, level == isolation_level::immediate   ? "BEGIN IMMEDIATE"
           : level == isolation_level::exclusive ? "BEGIN EXCLUSIVE"
                                                 : "BEGIN");
}

statement_ptr prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  statement_ptr stmt(raw);
  if (rc != SQLITE_OK) throw_error(db, rc, sql);
  const std::size_t used = tail != nullptr ? static_cast<std::size_t>(tail - sql.data()) : sql.size();
  if (!skip_blank(std::string_view(sql).substr(used)).empty()) {
    throw programming_error(
        "aio::sqlite: execute() runs one statement at a time (use executescript()) in: " + sql, SQLITE_MISUSE,
        SQLITE_MISUSE, sql);
  }
  return stmt;
}

void bind(sqlite3* db, sqlite3_stmt* stmt, const params& p, const std::string& sql) {
  const int wanted = sqlite3_bind_parameter_count(stmt);
  if (static_cast<std::size_t>(wanted) != p.size()) {
    throw programming_error("aio::sqlite: the statement has " + std::to_string(wanted) +
                                " parameter(s) but " + std::to_string(p.size()) +
                                " value(s) were given, in: " + sql,
                            SQLITE_RANGE, SQLITE_RANGE, sql);
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (int i = 1; i <= wanted; ++i) {
    const value& v = p[static_cast<std::size_t>(i - 1)];
    int rc = SQLITE_OK;
    switch (v.type()) {
      case value_type::null:
        rc = sqlite3_bind_null(stmt, i);
        break;
      case value_type::integer:
        rc = sqlite3_bind_int64(stmt, i, v.get<std::int64_t>());
        break;
      case value_type::real:
        rc = sqlite3_bind_double(stmt, i, v.get<double>());
        break;
      case value_type::text: {
        const auto s = v.get<std::string_view>();
        // SQLITE_STATIC: `p` outlives the statement's run.
        rc = sqlite3_bind_text64(stmt, i, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      }
      case value_type::blob: {
        const blob& b = *v.get_if<blob>();
        // A NULL pointer would bind NULL, not an empty blob.
        rc = b.empty() ? sqlite3_bind_zeroblob(stmt, i, 0)
                       : sqlite3_bind_blob64(stmt, i, b.data(), b.size(), SQLITE_STATIC);
        break;
      }
    }
    if (rc != SQLITE_OK) throw_error(db, rc, sql);
  }
}

value column_value(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return {static_cast<std::int64_t>(sqlite3_column_int64(stmt, i))};
    case SQLITE_FLOAT:
      return {sqlite3_column_double(stmt, i)};
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return {std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)))};
    }
    case SQLITE_BLOB: {
      const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt, i));
      const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
      return {n == 0 ? blob{} : blob(data, data + n)};
    }
    default:
      return {};
  }
}

/// Steps `stmt` to its end; collects its rows into `out` when `collect`.
void step_all(sqlite3* db, sqlite3_stmt* stmt, const std::string& sql, statement_result* out) {
  const int n = sqlite3_column_count(stmt);
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return;
    if (rc != SQLITE_ROW) throw_error(db, rc, sql);
    if (out == nullptr) continue;
    std::vector<value> values;
    values.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) values.push_back(column_value(stmt, i));
    out->rows.emplace_back(out->columns, std::move(values));
  }
}

std::shared_ptr<const std::vector<std::string>> column_names(sqlite3_stmt* stmt) {
  auto names = std::make_shared<std::vector<std::string>>();
  const int n = sqlite3_column_count(stmt);
  for (int i = 0; i < n; ++i) {
    const char* name = sqlite3_column_name(stmt, i);
    names->emplace_back(name != nullptr ? name : "");
  }
  return names;
}

}  // namespace

statement_result run_execute(core& c, const std::string& sql, const params& p) {
  sqlite3* db = c.db();
  statement_result out;
  statement_ptr stmt = prepare(db, sql);
  if (!stmt) {  // only blanks and comments
    if (!p.empty()) bind(db, nullptr, p, sql);
    return out;
  }
  out.columns = column_names(stmt.get());
  bind(db, stmt.get(), p, sql);  // checks the count before anything runs
  const bool dml = is_dml(sql);
  begin_if_needed(c, db, sql);
  step_all(db, stmt.get(), sql, &out);
  out.rowcount = dml ? sqlite3_changes64(db) : -1;
  out.lastrowid = sqlite3_last_insert_rowid(db);
  return out;
}

statement_result run_executemany(core& c, const std::string& sql, const std::vector<params>& rows) {
  sqlite3* db = c.db();
  statement_result out;
  statement_ptr stmt = prepare(db, sql);
  if (!stmt) return out;
  out.columns = column_names(stmt.get());
  const bool dml = is_dml(sql);
  out.rowcount = dml ? 0 : -1;
  for (const params& p : rows) {
    bind(db, stmt.get(), p, sql);
    begin_if_needed(c, db, sql);
    step_all(db, stmt.get(), sql, nullptr);
    if (dml) out.rowcount += sqlite3_changes64(db);
  }
  out.lastrowid = sqlite3_last_insert_rowid(db);
  return out;
}

void run_script(core& c, const std::string& script) {
  sqlite3* db = c.db();
  if (sqlite3_get_autocommit(db) == 0) exec(db, "COMMIT");
  exec(db, script);
}

void end_transaction(core& c, const char* what) {
  sqlite3* db = c.db();
  if (sqlite3_get_autocommit(db) == 0) exec(db, what);
}

}  // namespace aio::sqlite::detail
