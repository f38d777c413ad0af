// The libpq session on the loop: handshake, one query at a time, cancellation, notifications.

#include "connection_state.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "aio/debug/trace.hpp"
#include "aio/errors.hpp"
#include "aio/executor/to_thread.hpp"
#include "aio/io/detail/io_operation.hpp"
#include "aio/pg/errors.hpp"
#include "aio/runtime/detail/loop_access.hpp"

namespace aio::pg::detail {

namespace {

/// Awaited where a path would otherwise finish without a co_await (clang-tidy 14's analyzer does not
/// model a coroutine's promise on such paths); never suspends.
struct ready_now {
  [[nodiscard]] bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<> /*h*/) const noexcept {}
  void await_resume() const noexcept {}
};

/// True when `fd` is ready now (or failed or hung up: libpq's next call says which). A raw poll(2) with
/// a zero timeout on purpose, the one place aio::pg asks the kernel directly: the backend learns
/// readiness from edges (epoll) or a multishot poll (io_uring) on a registered fd and has no level
/// query, and libpq's socket is registered only for the length of one wait (libpq may replace it
/// between calls). Only a level check tells whether libpq left bytes unread (see wait_fd).
bool ready_now_poll(int fd, bool write) noexcept {
  pollfd p{fd, static_cast<short>(write ? POLLOUT : POLLIN), 0};
  int n = 0;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n != 0;
}

/// The fd's registration for one wait: attached on construction, detached (any waiting operation
/// withdrawn first, by the awaiter declared after it) on destruction.
class wait_registration {
 public:
  wait_registration(event_loop& loop, int fd) : m_loop(&loop) {
    m_reg.m_fd = fd;
    aio::detail::loop_access::attach_io(loop, m_reg);
    m_reg.m_readable = m_reg.m_writable = false;  // the caller saw not-ready: wait for the kernel to say so
  }
  wait_registration(const wait_registration&) = delete;
  wait_registration& operator=(const wait_registration&) = delete;
  ~wait_registration() { aio::detail::loop_access::detach_io(*m_loop, m_reg); }
  aio::detail::io_registration& reg() noexcept { return m_reg; }

 private:
  event_loop* m_loop;
  aio::detail::io_registration m_reg;
};

/// Waits for `fd` to become readable or writable. A level check first (libpq does not always read a
/// socket dry, and an edge-triggered wait would then sleep on data already there), then a wait
/// registered for this call only.
coro<> wait_fd(event_loop& loop, int fd, bool write) {
  if (ready_now_poll(fd, write)) {
    co_await ready_now{};
    co_return;
  }
  wait_registration wr(loop, fd);
  aio::detail::io_operation op(loop, wr.reg(),
                               write ? aio::detail::io_kind::writable : aio::detail::io_kind::readable);
  // An error result (-ECANCELED when the fd went away) is left to libpq's next call to report.
  (void)co_await op;
}

std::string libpq_message(const PGconn* c) {
  std::string m = c != nullptr ? PQerrorMessage(c) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

struct pgconn_closer {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};

std::string field(const PGresult* r, int code) {
  const char* s = PQresultErrorField(r, code);
  return s != nullptr ? s : "";
}

}  // namespace

/// Marks the connection busy for one operation; the idle watch for notifications is off meanwhile.
class busy_scope {
 public:
  explicit busy_scope(connection_state& c) noexcept : m_c(&c) {
    c.m_busy = true;
    c.unwatch_idle();
  }
  busy_scope(const busy_scope&) = delete;
  busy_scope& operator=(const busy_scope&) = delete;
  ~busy_scope() {
    m_c->m_busy = false;
    m_c->watch_idle();
  }

 private:
  connection_state* m_c;
};

connection_state::connection_state(event_loop& loop, PGconn* conn, std::size_t statement_cache_size) noexcept
    : m_loop(&loop), m_conn(conn), m_cache_capacity(statement_cache_size) {
  (void)PQsetNoticeReceiver(m_conn, &connection_state::on_notice, this);
}

void connection_state::on_notice(void* self, const PGresult* r) noexcept {
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity != nullptr &&
      (std::string_view(severity) == "FATAL" || std::string_view(severity) == "PANIC")) {
    static_cast<connection_state*>(self)->m_server_gone = true;
  }
  std::fputs(PQresultErrorMessage(r), stderr);  // libpq's default notice processor
}

connection_state::~connection_state() { close(); }

coro<std::shared_ptr<connection_state>> connection_state::open(std::string dsn,
                                                               std::size_t statement_cache_size) {
  event_loop& loop = get_running_loop();
  std::unique_ptr<PGconn, pgconn_closer> c(PQconnectStart(dsn.c_str()));
  if (!c || PQstatus(c.get()) == CONNECTION_BAD) {
    throw connection_error("aio::pg: cannot connect: " + libpq_message(c.get()));
  }
  // libpq's protocol: poll for the direction PQconnectPoll names, starting with "writing". The socket
  // can change between steps (the next address, a retry without SSL), so each wait reads it anew.
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (st != PGRES_POLLING_OK) {
    if (st == PGRES_POLLING_FAILED) {
      throw connection_error("aio::pg: cannot connect: " + libpq_message(c.get()));
    }
    const int fd = PQsocket(c.get());
    if (fd < 0) throw connection_error("aio::pg: cannot connect: " + libpq_message(c.get()));
    co_await wait_fd(loop, fd, st == PGRES_POLLING_WRITING);
    st = PQconnectPoll(c.get());
  }
  if (PQsetnonblocking(c.get(), 1) != 0) {
    throw connection_error("aio::pg: cannot connect: " + libpq_message(c.get()));
  }
  co_return std::make_shared<connection_state>(loop, c.release(), statement_cache_size);
}

void connection_state::close() noexcept {
  if (m_conn == nullptr) return;
  unwatch_idle();
  PQfinish(m_conn);
  m_conn = nullptr;
  end_listeners("aio::pg: the connection is closed");
}

bool connection_state::is_closed() const noexcept {
  return m_conn == nullptr || m_lost || m_server_gone || PQstatus(m_conn) == CONNECTION_BAD;
}

bool connection_state::in_transaction() const noexcept {
  return m_conn != nullptr && PQtransactionStatus(m_conn) != PQTRANS_IDLE;
}

int connection_state::server_pid() const noexcept { return m_conn != nullptr ? PQbackendPID(m_conn) : 0; }

std::string connection_state::quote_identifier(const std::string& name) const {
  check_usable();
  char* q = PQescapeIdentifier(m_conn, name.data(), name.size());
  if (q == nullptr) throw interface_error("aio::pg: cannot quote \"" + name + "\": " + libpq_message(m_conn));
  std::string out(q);
  PQfreemem(q);
  return out;
}

void connection_state::check_usable() const {
  if (m_conn == nullptr) throw interface_error("aio::pg: the connection is closed");
  if (m_lost || m_server_gone || PQstatus(m_conn) == CONNECTION_BAD) {
    throw interface_error("aio::pg: the connection was lost (" + libpq_message(m_conn) + ")");
  }
  if (m_busy) {
    throw interface_error(
        "aio::pg: cannot perform operation: another operation is in progress on this connection");
  }
}

void connection_state::throw_lost() {
  m_lost = true;
  const std::string why = libpq_message(m_conn);
  end_listeners("aio::pg: the connection was lost (" + why + ")");
  throw interface_error("aio::pg: the connection was lost (" + why + ")");
}

void connection_state::send(const query_request& rq) {
  std::vector<const char*> values;
  values.reserve(rq.args.size());
  for (const auto& a : rq.args) values.push_back(a ? a->c_str() : nullptr);
  const int n = static_cast<int>(values.size());
  int ok = 0;
  switch (rq.kind) {
    case request_kind::simple:
      ok = PQsendQuery(m_conn, rq.sql.c_str());
      break;
    case request_kind::with_params:
      ok = PQsendQueryParams(m_conn, rq.sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
      break;
    case request_kind::prepare:
      ok = PQsendPrepare(m_conn, rq.name.c_str(), rq.sql.c_str(), 0, nullptr);
      break;
    case request_kind::prepared:
      ok = PQsendQueryPrepared(m_conn, rq.name.c_str(), n, values.data(), nullptr, nullptr, 0);
      break;
  }
  if (ok == 0) {
    if (PQstatus(m_conn) == CONNECTION_BAD) throw_lost();
    throw interface_error("aio::pg: cannot send the query: " + libpq_message(m_conn));
  }
}

coro<> connection_state::flush() {
  while (true) {
    const int r = PQflush(m_conn);
    if (r == 0) break;
    if (r < 0) throw_lost();
    co_await wait_socket(true);
    // The server may answer (a notice, an error) while we still write: read it so it cannot block us.
    if (PQconsumeInput(m_conn) == 0) throw_lost();
  }
}

coro<> connection_state::wait_socket(bool write) {
  const int fd = PQsocket(m_conn);
  if (fd < 0) throw_lost();
  co_await wait_fd(*m_loop, fd, write);
}

void connection_state::take_result(PGresult* r, query_result& out, std::exception_ptr& error) {
  std::unique_ptr<PGresult, decltype(&PQclear)> guard(r, &PQclear);
  switch (PQresultStatus(r)) {
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE: {
      const int ncols = PQnfields(r);
      auto cols = std::make_shared<std::vector<std::string>>();
      cols->reserve(static_cast<std::size_t>(ncols));
      for (int j = 0; j < ncols; ++j) cols->emplace_back(PQfname(r, j));
      const int nrows = PQntuples(r);
      out.rows.clear();
      out.rows.reserve(static_cast<std::size_t>(nrows));
      for (int i = 0; i < nrows; ++i) {
        std::vector<value> vals;
        vals.reserve(static_cast<std::size_t>(ncols));
        for (int j = 0; j < ncols; ++j) {
          if (PQgetisnull(r, i, j) != 0) {
            vals.emplace_back();
          } else {
            vals.emplace_back(
                std::string(PQgetvalue(r, i, j), static_cast<std::size_t>(PQgetlength(r, i, j))));
          }
        }
        out.rows.emplace_back(cols, std::move(vals));
      }
      out.status = PQcmdStatus(r);
      break;
    }
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
      out.rows.clear();
      out.status = PQcmdStatus(r);
      break;
    case PGRES_COPY_IN:
      // End the COPY at once with a failure, so the server ends the statement and the reply completes.
      if (!error) error = std::make_exception_ptr(interface_error("aio::pg: COPY is not supported"));
      (void)PQputCopyEnd(m_conn, "aio::pg does not support COPY");
      break;
    case PGRES_COPY_OUT:
    case PGRES_COPY_BOTH:
      // The rows would have to be read with PQgetCopyData: give up on the session instead.
      if (!error) error = std::make_exception_ptr(interface_error("aio::pg: COPY is not supported"));
      m_lost = true;
      break;
    default:  // PGRES_FATAL_ERROR, PGRES_BAD_RESPONSE, ...
      if (!error) error = error_of(r);
      break;
  }
}

std::exception_ptr connection_state::error_of(PGresult* r) const {
  std::string msg = field(r, PG_DIAG_MESSAGE_PRIMARY);
  if (msg.empty()) msg = PQresultErrorMessage(r);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return std::make_exception_ptr(postgres_error(field(r, PG_DIAG_SQLSTATE), std::move(msg),
                                                field(r, PG_DIAG_MESSAGE_DETAIL),
                                                field(r, PG_DIAG_MESSAGE_HINT)));
}

coro<> connection_state::collect(query_result& out, std::exception_ptr& error) {
  while (true) {
    if (PQconsumeInput(m_conn) == 0) throw_lost();
    dispatch_notifications();
    while (PQisBusy(m_conn) == 0) {
      PGresult* r = PQgetResult(m_conn);
      if (r == nullptr) co_return;
      take_result(r, out, error);
      if (m_lost) throw interface_error("aio::pg: COPY is not supported (the connection was closed)");
    }
    co_await wait_socket(false);
  }
}

coro<query_result> connection_state::query(query_request rq) {
  check_usable();
  const busy_scope busy(*this);
  // The statement on the trace timeline, from sending it to its last result; named (a prepared
  // statement by its name) only when a trace records.
  trace::span traced("sql", std::string());
  if (traced.recording()) traced.rename(rq.sql.empty() ? "EXECUTE " + rq.name : rq.sql);
  const bool cached = rq.kind == request_kind::with_params && m_cache_capacity > 0;
  query_result out;
  try {
    // Not `cached ? co_await a : co_await b`: g++ 12 miscompiles that for class types (compilers.md, Bug 5).
    if (cached) {
      out = co_await cached_query(rq);
    } else {
      out = co_await exchange(rq);
    }
  } catch (...) {
    if (traced.recording()) traced.arg("status", "error");
    throw;
  }
  if (traced.recording()) {
    traced.arg("status", out.status);
    traced.arg("rows", std::to_string(out.rows.size()));
  }
  co_return out;
}

coro<query_result> connection_state::exchange(const query_request& rq) {
  send(rq);
  query_result out;
  std::exception_ptr error;
  std::exception_ptr cancelled;
  try {
    co_await flush();
    co_await collect(out, error);
  } catch (const cancelled_error&) {
    cancelled = std::current_exception();
  }
  if (cancelled) {
    co_await cancel_and_drain(false);
    std::rethrow_exception(cancelled);
  }
  if (error) std::rethrow_exception(error);
  co_return out;
}

coro<> connection_state::cancel_and_drain(bool pipeline) {
  bool failed = false;
  try {
    PGcancel* pc = PQgetCancel(m_conn);
    if (pc == nullptr) throw interface_error("aio::pg: no cancel handle");
    // PQcancel opens a new connection to the server and blocks: off the loop thread. The worker frees
    // the handle even if this wait is abandoned.
    co_await aio::to_thread([pc] {
      char buf[256];
      (void)PQcancel(pc, buf, sizeof buf);
      PQfreeCancel(pc);
    });
    // The rest of the reply (the cancelled statement's error, or its results if it finished first).
    co_await flush();
    if (pipeline) {
      batch_outcome ignored;
      co_await collect_batch(ignored);
      if (PQexitPipelineMode(m_conn) == 0) failed = true;
    } else {
      query_result ignored;
      std::exception_ptr ignored_error;
      co_await collect(ignored, ignored_error);
    }
  } catch (...) {
    failed = true;  // a second cancel, or the connection failed: never leave a half-read reply behind
  }
  if (failed) close();
}

// ---- The statement cache (asyncpg's statement_cache_size) ----

namespace {

/// A cached statement that a schema change invalidated: PostgreSQL re-plans it but refuses a new row
/// type (asyncpg's InvalidCachedStatementError).
bool invalidated_statement(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const postgres_error& pe) {
    return pe.sqlstate() == "0A000" &&
           pe.message().find("cached plan must not change result type") != std::string::npos;
  } catch (...) {
    return false;
  }
}

}  // namespace

const std::string* connection_state::cache_lookup(const std::string& sql) {
  const auto it = m_cache_index.find(sql);
  if (it == m_cache_index.end()) return nullptr;
  m_lru.splice(m_lru.begin(), m_lru, it->second);
  return &it->second->name;
}

void connection_state::cache_insert(const std::string& sql, const std::string& name) {
  m_lru.push_front(cache_entry{sql, name});
  try {
    m_cache_index.emplace(sql, m_lru.begin());
  } catch (...) {
    m_to_deallocate.push_back(name);
    m_lru.pop_front();
    throw;
  }
}

void connection_state::cache_drop(const std::string& sql) {
  const auto it = m_cache_index.find(sql);
  if (it == m_cache_index.end()) return;
  m_to_deallocate.push_back(it->second->name);
  m_lru.erase(it->second);
  m_cache_index.erase(it);
}

coro<> connection_state::make_room() {
  while (!m_lru.empty() && m_lru.size() >= m_cache_capacity) {
    m_to_deallocate.push_back(m_lru.back().name);
    m_cache_index.erase(m_lru.back().sql);
    m_lru.pop_back();
  }
  if (m_to_deallocate.empty()) {
    co_await ready_now{};
    co_return;
  }
  std::string sql;
  for (const auto& n : m_to_deallocate) sql += "DEALLOCATE " + n + ";";
  const query_request rq{.kind = request_kind::simple, .sql = std::move(sql)};
  bool keep = false;
  try {
    co_await exchange(rq);
  } catch (const postgres_error& e) {
    // In an aborted transaction (25P02) nothing runs: try again at the next prepare, which reports
    // that error itself. Any other failure means the statements are gone already.
    keep = e.sqlstate() == "25P02";
  }
  if (!keep) m_to_deallocate.clear();
}

coro<std::string> connection_state::statement_for(const std::string& sql) {
  if (const std::string* hit = cache_lookup(sql)) {
    std::string name = *hit;
    co_await ready_now{};
    co_return name;
  }
  co_await make_room();
  const query_request prep{.kind = request_kind::prepare, .sql = sql, .name = next_statement_name()};
  co_await exchange(prep);
  cache_insert(sql, prep.name);
  co_return prep.name;
}

coro<query_result> connection_state::cached_query(const query_request& rq) {
  std::exception_ptr failure;
  for (int attempt = 0; attempt < 2; ++attempt) {
    failure = nullptr;
    const std::string name = co_await statement_for(rq.sql);
    const query_request run{.kind = request_kind::prepared, .name = name, .args = rq.args};
    try {
      co_return co_await exchange(run);
    } catch (...) {
      failure = std::current_exception();
    }
    if (!invalidated_statement(failure)) break;
    cache_drop(rq.sql);
    // Outside a transaction the failed run changed nothing: prepare anew and run once more. Inside
    // one the transaction is aborted, so the error goes to the caller (the next call re-prepares).
    if (in_transaction()) break;
  }
  std::rethrow_exception(failure);
}

// ---- executemany: libpq's pipeline mode ----

void connection_state::send_batch(const batch_request& rq, const std::string& name, bool prepare) {
  const auto fail = [this] {
    if (PQstatus(m_conn) == CONNECTION_BAD) throw_lost();
    throw interface_error("aio::pg: cannot send the batch: " + libpq_message(m_conn));
  };
  if (prepare && PQsendPrepare(m_conn, name.c_str(), rq.sql.c_str(), 0, nullptr) == 0) fail();
  std::vector<const char*> values;
  for (const auto& row : rq.rows) {
    values.clear();
    for (const auto& a : row) values.push_back(a ? a->c_str() : nullptr);
    if (PQsendQueryPrepared(m_conn, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                            nullptr, 0) == 0) {
      fail();
    }
  }
  if (PQpipelineSync(m_conn) == 0) fail();
}

coro<> connection_state::collect_batch(batch_outcome& out) {
  while (true) {
    if (PQconsumeInput(m_conn) == 0) throw_lost();
    dispatch_notifications();
    while (PQisBusy(m_conn) == 0) {
      PGresult* r = PQgetResult(m_conn);
      if (r == nullptr) {  // the end of one command's results
        ++out.command;
        continue;
      }
      const std::unique_ptr<PGresult, decltype(&PQclear)> guard(r, &PQclear);
      const ExecStatusType st = PQresultStatus(r);
      if (st == PGRES_PIPELINE_SYNC) co_return;
      if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        m_lost = true;  // cannot be ended inside a pipeline: give up on the session
        throw interface_error("aio::pg: COPY is not supported (the connection was closed)");
      }
      if ((st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) && !out.error) {
        out.error = error_of(r);
        out.failed_command = out.command;
      }
      // PGRES_PIPELINE_ABORTED (the commands after a failure), PGRES_COMMAND_OK, PGRES_TUPLES_OK: no data.
    }
    co_await wait_socket(false);
  }
}

coro<> connection_state::run_batch(const batch_request& rq, const std::string& name, bool prepare,
                                   batch_outcome& out) {
  if (PQenterPipelineMode(m_conn) == 0) {
    throw interface_error("aio::pg: cannot enter pipeline mode: " + libpq_message(m_conn));
  }
  std::exception_ptr cancelled;
  std::exception_ptr failed;
  try {
    send_batch(rq, name, prepare);
    co_await flush();
    co_await collect_batch(out);
  } catch (const cancelled_error&) {
    cancelled = std::current_exception();
  } catch (...) {
    failed = std::current_exception();
  }
  if (cancelled) {
    co_await cancel_and_drain(true);
    std::rethrow_exception(cancelled);
  }
  if (failed) {
    close();  // a half-sent pipeline or a lost connection: never reused
    std::rethrow_exception(failed);
  }
  if (PQexitPipelineMode(m_conn) == 0) {
    close();
    throw interface_error("aio::pg: cannot leave pipeline mode: " + libpq_message(m_conn));
  }
}

coro<> connection_state::execute_many(batch_request rq) {
  check_usable();
  const busy_scope busy(*this);
  if (rq.rows.empty()) {
    co_await ready_now{};
    co_return;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    // The prepare travels in the pipeline too: one round trip for a statement not yet cached.
    std::string name;
    bool prepare = true;
    if (m_cache_capacity > 0) {
      if (const std::string* hit = cache_lookup(rq.sql)) {
        name = *hit;
        prepare = false;
      } else {
        co_await make_room();
        name = next_statement_name();
      }
    }  // else the unnamed statement, prepared in the pipeline
    batch_outcome out;
    co_await run_batch(rq, name, prepare, out);
    const bool prepared_ok = prepare && !(out.error && out.failed_command == 0);
    if (prepared_ok && !name.empty()) cache_insert(rq.sql, name);
    if (!out.error) co_return;
    if (prepare && out.failed_command == 0) std::rethrow_exception(out.error);  // did not prepare
    const std::size_t row = out.failed_command - (prepare ? 1 : 0);
    if (!prepare && invalidated_statement(out.error)) {
      cache_drop(rq.sql);
      if (!in_transaction()) continue;  // the implicit transaction rolled back: run the batch again
    }
    try {
      std::rethrow_exception(out.error);
    } catch (const postgres_error& e) {
      throw executemany_error(e, row);
    }
  }
  throw interface_error("aio::pg: executemany: the statement was invalidated twice");
}

// ---- The pool's reset (asyncpg's Connection.reset) ----

bool connection_state::start_reset() noexcept {
  if (m_conn == nullptr || m_busy || m_reset_pending || is_closed()) return false;
  // Listeners end: the connection goes to another task, and UNLISTEN * below stops the channels.
  unwatch_idle();
  end_listeners("aio::pg: the connection was released to the pool");
  for (const auto& l : m_listeners) l->conn.reset();
  m_listeners.clear();
  const char* reset = "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;";
  const char* rollback_reset = "ROLLBACK; SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;";
  if (PQsendQuery(m_conn, in_transaction() ? rollback_reset : reset) == 0) return false;
  // Usually all of it goes out now; what does not is flushed by finish_reset.
  if (PQflush(m_conn) < 0) return false;
  m_tx_depth = 0;
  m_reset_pending = true;
  return true;
}

coro<> connection_state::finish_reset() {
  if (m_conn == nullptr) throw interface_error("aio::pg: the connection is closed");
  const busy_scope busy(*this);
  co_await flush();
  query_result ignored;
  std::exception_ptr error;
  co_await collect(ignored, error);
  m_reset_pending = false;
  if (error) std::rethrow_exception(error);
}

bool connection_state::check_alive() noexcept {
  if (is_closed()) return false;
  const int fd = PQsocket(m_conn);
  if (fd < 0) return false;
  // A terminated backend sends its FATAL error and closes: the first read takes the message, the
  // next one sees the end of the stream. A bounded loop: a chatty server cannot hold us here.
  for (int i = 0; i < 8 && ready_now_poll(fd, false); ++i) {
    if (PQconsumeInput(m_conn) == 0) {
      m_lost = true;
      return false;
    }
  }
  // Parsing what came hands an idle-time FATAL to on_notice even before the socket closes.
  (void)PQisBusy(m_conn);
  return !is_closed();
}

void connection_state::dispatch_notifications() {
  while (PGnotify* n = PQnotifies(m_conn)) {
    notification item{n->relname, n->extra != nullptr ? n->extra : "", n->be_pid};
    PQfreemem(n);
    for (const auto& l : m_listeners) {
      if (l->channel == item.channel) l->queue.put_nowait(item);
    }
  }
}

void connection_state::add_listener(const std::shared_ptr<listener_state>& l) {
  m_listeners.push_back(l);
  watch_idle();
}

bool connection_state::remove_listener(const listener_state* l) noexcept {
  std::string channel = l->channel;
  std::erase_if(m_listeners, [l](const auto& p) { return p.get() == l; });
  if (m_listeners.empty()) unwatch_idle();
  return std::none_of(m_listeners.begin(), m_listeners.end(),
                      [&](const auto& p) { return p->channel == channel; });
}

void connection_state::watch_idle() noexcept {
  if (m_watching || m_busy || m_listeners.empty() || is_closed()) return;
  const int fd = PQsocket(m_conn);
  if (fd < 0) return;
  try {
    std::weak_ptr<connection_state> weak = weak_from_this();
    m_loop->add_reader(fd, [weak] {
      if (auto self = weak.lock()) self->on_idle_readable();
    });
    m_watching = true;
    m_watched_fd = fd;
  } catch (...) {
    // Out of memory or the loop refused the fd: notifications then arrive with the next query.
  }
}

void connection_state::unwatch_idle() noexcept {
  if (!m_watching) return;
  m_watching = false;
  try {
    m_loop->remove_reader(m_watched_fd);
  } catch (...) {
    // Only check_thread can throw, and the loop thread is the only caller.
  }
  m_watched_fd = -1;
}

void connection_state::on_idle_readable() noexcept {
  if (m_busy || m_conn == nullptr) return;
  if (PQconsumeInput(m_conn) == 0) {
    m_lost = true;
    unwatch_idle();
    end_listeners("aio::pg: the connection was lost (" + libpq_message(m_conn) + ")");
    return;
  }
  try {
    dispatch_notifications();
  } catch (...) {
    // put_nowait on an unbounded queue throws only when out of memory: that notification is lost.
  }
}

void connection_state::end_listeners(const std::string& reason) noexcept {
  for (const auto& l : m_listeners) {
    l->end_reason = reason;
    l->queue.shutdown();
  }
}

}  // namespace aio::pg::detail
