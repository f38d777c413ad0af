// aio::sqlite::connection: each operation is a coroutine that hands one job to the connection's
// thread (core::call) and returns its result on the loop thread.

#include "aio/sqlite/connection.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/debug/trace.hpp"
#include "core.hpp"
#include "statement.hpp"

namespace aio::sqlite {

namespace {
/// The core of an open connection. @par Errors `programming_error` when it is closed.
std::shared_ptr<detail::core> open_core(const std::shared_ptr<detail::core>& c) {
  if (!c || c->m_closed) detail::throw_misuse("aio::sqlite: the connection is closed");
  return c;
}

/// A statement on the trace timeline (include/aio/debug/trace.hpp), on the awaiting task's row, from
/// handing the job to the connection's thread to its result; named only when a trace records.
void name_span(trace::span& s, std::string_view sql) {
  if (s.recording()) s.rename(std::string(sql));
}

// The coroutines are free functions holding the core by shared_ptr: the connection object may move
// or die while they wait. Each job owns what it uses (moved in): a cancelled awaiter's frame is gone
// while its job may still run on the worker.
coro<cursor> do_execute(std::shared_ptr<detail::core> c, std::string sql, params p) {
  trace::span traced("sql", std::string());
  name_span(traced, sql);
  auto job = [sql = std::move(sql), p = std::move(p)](detail::core& k) {
    return detail::run_execute(k, sql, p);
  };
  co_return cursor(co_await c->call(std::move(job)));
}

coro<cursor> do_executemany(std::shared_ptr<detail::core> c, std::string sql, std::vector<params> rows) {
  trace::span traced("sql", std::string());
  name_span(traced, sql);
  auto job = [sql = std::move(sql), rows = std::move(rows)](detail::core& k) {
    return detail::run_executemany(k, sql, rows);
  };
  co_return cursor(co_await c->call(std::move(job)));
}

coro<std::vector<row>> do_execute_fetchall(std::shared_ptr<detail::core> c, std::string sql, params p) {
  trace::span traced("sql", std::string());
  name_span(traced, sql);
  auto job = [sql = std::move(sql), p = std::move(p)](detail::core& k) {
    return detail::run_execute(k, sql, p);
  };
  detail::statement_result r = co_await c->call(std::move(job));
  co_return std::move(r.rows);
}

coro<std::optional<row>> do_fetchone(std::shared_ptr<detail::core> c, std::string sql, params p) {
  trace::span traced("sql", std::string());
  name_span(traced, sql);
  auto job = [sql = std::move(sql), p = std::move(p)](detail::core& k) {
    detail::statement_result r = detail::run_execute(k, sql, p);
    // Only the first row travels to the loop thread; the others are freed here, on the worker.
    std::optional<row> first;
    if (!r.rows.empty()) first = std::move(r.rows.front());
    return first;
  };
  co_return co_await c->call(std::move(job));
}

coro<> do_script(std::shared_ptr<detail::core> c, std::string script) {
  trace::span traced("sql", std::string());
  name_span(traced, script);
  auto job = [script = std::move(script)](detail::core& k) { detail::run_script(k, script); };
  co_await c->call(std::move(job));
}

coro<> do_end_transaction(std::shared_ptr<detail::core> c, const char* what) {
  trace::span traced("sql", std::string());
  name_span(traced, what);
  auto job = [what](detail::core& k) { detail::end_transaction(k, what); };
  co_await c->call(std::move(job));
}

coro<> do_close(std::shared_ptr<detail::core> c) {
  auto job = [](detail::core& k) { k.close_handle(); };
  co_await c->call(std::move(job));
  c->shutdown();  // the worker is idle now: the join is immediate
}

coro<connection> do_connect(std::shared_ptr<detail::core> c, std::string path) {
  auto job = [path = std::move(path)](detail::core& k) { k.open(path); };
  co_await c->call(std::move(job));
  co_return connection(std::move(c));
}
}  // namespace

connection::connection(std::shared_ptr<detail::core> core) noexcept : m_core(std::move(core)) {}
connection::connection(connection&& o) noexcept = default;
connection& connection::operator=(connection&& o) noexcept {
  if (this != &o) {
    if (m_core) m_core->shutdown();
    m_core = std::move(o.m_core);
  }
  return *this;
}
connection::~connection() {
  if (m_core) m_core->shutdown();
}

coro<cursor> connection::execute(std::string sql, params p) {
  return do_execute(open_core(m_core), std::move(sql), std::move(p));
}
coro<cursor> connection::executemany_params(std::string sql, std::vector<params> rows) {
  return do_executemany(open_core(m_core), std::move(sql), std::move(rows));
}
coro<std::vector<row>> connection::execute_fetchall(std::string sql, params p) {
  return do_execute_fetchall(open_core(m_core), std::move(sql), std::move(p));
}
coro<std::vector<row>> connection::fetchall(std::string sql, params p) {
  return do_execute_fetchall(open_core(m_core), std::move(sql), std::move(p));
}
coro<std::optional<row>> connection::fetchone(std::string sql, params p) {
  return do_fetchone(open_core(m_core), std::move(sql), std::move(p));
}
coro<> connection::executescript(std::string script) {
  return do_script(open_core(m_core), std::move(script));
}
coro<> connection::commit() { return do_end_transaction(open_core(m_core), "COMMIT"); }
coro<> connection::rollback() { return do_end_transaction(open_core(m_core), "ROLLBACK"); }

coro<> connection::close() {
  if (!m_core || m_core->m_closed) return []() -> coro<> { co_return; }();
  m_core->m_closed = true;  // later calls fail at once; the statements already awaited run first
  return do_close(m_core);
}

bool connection::in_transaction() const noexcept { return m_core && m_core->in_transaction(); }
bool connection::is_closed() const noexcept { return !m_core || m_core->m_closed; }

coro<connection> connect(std::string path, options opts) {
  return do_connect(std::make_shared<detail::core>(opts), std::move(path));
}

}  // namespace aio::sqlite
