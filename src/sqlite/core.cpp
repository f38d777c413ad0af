// The connection's handle and thread: open, close, interrupt, shutdown. See core.hpp.

#include "core.hpp"

namespace aio::sqlite::detail {

void throw_error(sqlite3* db, int rc, const std::string& sql) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* text = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = "aio::sqlite: ";
  message += text;
  message += " (SQLite code " + std::to_string(extended) + ")";
  if (!sql.empty()) message += " in: " + sql;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) throw integrity_error(message, rc & 0xff, extended, sql);
  throw error(message, rc & 0xff, extended, sql);
}

void throw_misuse(const std::string& message, int code) { throw programming_error(message, code, code, ""); }

void core::open(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (m_options.uri) flags |= SQLITE_OPEN_URI;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::exception_ptr e;
    try {
      throw_error(db, rc, "");
    } catch (error& err) {
      e = std::make_exception_ptr(
          error(std::string(err.what()) + " opening '" + path + "'", err.code(), err.extended_code(), ""));
    }
    sqlite3_close_v2(db);  // a handle is returned even on failure (NULL is fine too)
    std::rethrow_exception(e);
  }
  sqlite3_busy_timeout(db, static_cast<int>(m_options.timeout.count()));
  // Every 1000 virtual-machine steps (microseconds): cheap, and prompt enough for a cancel.
  sqlite3_progress_handler(db, 1000, &core::on_progress, this);
  std::lock_guard<std::mutex> lock(m_mutex);
  m_db = db;
}

void core::close_handle() noexcept {
  sqlite3* db = nullptr;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    db = std::exchange(m_db, nullptr);
  }
  // Every statement is finalized by the job that prepared it, so this closes at once; close_v2
  // rolls back an open transaction.
  if (db != nullptr) sqlite3_close_v2(db);
}

int core::on_progress(void* self) noexcept {
  auto* c = static_cast<core*>(self);
  // m_running is written only by this (the worker) thread, so reading it here needs no lock.
  const bool stop = c->m_stop.load(std::memory_order_relaxed) ||
                    (c->m_running != nullptr && c->m_running->cancelled.load(std::memory_order_relaxed));
  return stop ? 1 : 0;
}

void core::interrupt(call_token& token) noexcept {
  token.cancelled.store(true, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_running == &token && m_db != nullptr) sqlite3_interrupt(m_db);
}

void core::shutdown() noexcept {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_shutting_down = true;
    m_stop.store(true, std::memory_order_relaxed);
    if (m_running != nullptr && m_db != nullptr) sqlite3_interrupt(m_db);
  }
  m_closed = true;
  m_pool.shutdown(true);  // queued jobs fail fast (m_shutting_down); the running one was interrupted
  close_handle();
}

}  // namespace aio::sqlite::detail
