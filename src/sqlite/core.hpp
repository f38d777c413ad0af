#pragma once
// The private side of aio::sqlite::connection: the sqlite3 handle, the one thread that uses it, and
// the bookkeeping that lets the loop thread interrupt exactly the statement it cancelled.
//
// Design note (who touches what):
// - `m_pool` (a thread_pool of one worker) runs every job in submission order; jobs hold a raw
//   `core*`, which is safe because `shutdown()` joins the worker before the core is destroyed, and
//   no job ever owns the core (so the last release never happens on the worker, which could not join
//   itself).
// - `m_db` is written only under `m_mutex` (by the open and close jobs on the worker, or by
//   `shutdown()` after the join); the worker reads it freely, the loop thread only under `m_mutex`
//   (sqlite3_interrupt must not race with sqlite3_close).
// - `m_running` names the call whose job runs now (under `m_mutex`): a cancel interrupts the handle
//   only while its own call runs, never a later statement of another task; a call cancelled before it
//   started is skipped. sqlite3_interrupt alone could be lost (a statement that starts while no
//   other runs clears the flag), so a progress handler also polls the call's `cancelled` flag and
//   `m_stop`: whichever lands first stops the statement with SQLITE_INTERRUPT.
// - `m_closed` is the loop thread's view (close() was called); `m_in_transaction` is written by the
//   worker after each job and read by the loop (relaxed: a hint, ordered by the completion anyway).

#include <sqlite3.h>

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "aio/errors.hpp"
#include "aio/executor/thread_pool.hpp"
#include "aio/executor/to_thread.hpp"
#include "aio/sqlite/error.hpp"
#include "aio/sqlite/options.hpp"
#include "aio/task/coro.hpp"

namespace aio::sqlite::detail {

/// One awaited call; shared by the awaiting coroutine and its job.
struct call_token {
  // relaxed everywhere: a stop request polled by the progress handler, it orders nothing else.
  std::atomic<bool> cancelled{false};
};

/// Throws the `error` (or `integrity_error`) for `rc`, with sqlite3_errmsg's text and `sql`.
[[noreturn]] void throw_error(sqlite3* db, int rc, const std::string& sql);
/// Throws `programming_error` with `message`.
[[noreturn]] void throw_misuse(const std::string& message, int code = SQLITE_MISUSE);

class core {
 public:
  explicit core(options opts) : m_options(opts) {}
  core(const core&) = delete;
  core& operator=(const core&) = delete;
  ~core() { shutdown(); }

  /// Runs `f(*this)` on the worker for the awaiting task; a cancel interrupts it (see the file note).
  template <class F>
  auto call(F f) -> coro<std::invoke_result_t<F&, core&>> {
    auto token = std::make_shared<call_token>();
    // Named before the co_await (g++ 12: docs/design/compilers.md), moved in through the unchecked entry.
    auto job = [self = this, token, f = std::move(f)]() mutable { return self->run(*token, f); };
    std::exception_ptr failure;
    try {
      co_return co_await aio::detail::submit_call(get_running_loop(), m_pool, std::move(job));
    } catch (const cancelled_error&) {
      interrupt(*token);
      failure = std::current_exception();
    }
    std::rethrow_exception(failure);
  }

  /// The open handle (worker thread). @par Errors `programming_error` once closed.
  sqlite3* db() const {
    if (m_db == nullptr) throw_misuse("aio::sqlite: the connection is closed");
    return m_db;
  }
  /// Opens the database (worker thread).
  void open(const std::string& path);
  /// Closes the handle (worker thread, or after the join); an open transaction is rolled back.
  void close_handle() noexcept;
  /// Loop thread: interrupts a running statement, drops queued ones, joins the worker, closes.
  void shutdown() noexcept;

  [[nodiscard]] const options& opts() const noexcept { return m_options; }
  [[nodiscard]] bool in_transaction() const noexcept {
    return m_in_transaction.load(std::memory_order_relaxed);
  }

  bool m_closed = false;  // loop thread only

 private:
  template <class F>
  auto run(call_token& token, F& f) -> std::invoke_result_t<F&, core&> {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (token.cancelled.load(std::memory_order_relaxed))
        throw_misuse("aio::sqlite: cancelled before it ran");  // dropped anyway
      if (m_shutting_down) throw_misuse("aio::sqlite: the connection was closed before this call ran");
      m_running = &token;
    }
    struct done {
      core* c;
      ~done() {
        if (c->m_db != nullptr) {
          // relaxed: see the file note.
          c->m_in_transaction.store(sqlite3_get_autocommit(c->m_db) == 0, std::memory_order_relaxed);
        }
        std::lock_guard<std::mutex> lock(c->m_mutex);
        c->m_running = nullptr;
      }
    } guard{this};
    return f(*this);
  }
  void interrupt(call_token& token) noexcept;
  /// The progress handler (worker thread): non-zero stops the running statement.
  static int on_progress(void* self) noexcept;

  options m_options;
  std::mutex m_mutex;
  sqlite3* m_db = nullptr;                // see the file note
  const call_token* m_running = nullptr;  // guarded by m_mutex
  bool m_shutting_down = false;           // guarded by m_mutex
  std::atomic<bool> m_stop{false};        // shutdown() asks the running statement to stop (relaxed)
  std::atomic<bool> m_in_transaction{false};
  thread_pool m_pool{1};  // last member: destroyed (joined) first
};

}  // namespace aio::sqlite::detail
