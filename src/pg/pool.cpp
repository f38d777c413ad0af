// aio::pg::pool: idle connections in a stack, a semaphore counting the ones that may be out.
//
// Invariant: m_open = idle.size() + acquired; the semaphore holds max_size - acquired permits, so a
// task waits in acquire() exactly while max_size connections are out. A released connection is reset
// (asyncpg's Connection.reset) and kept: the reset is sent at once, without waiting, so the server
// rolls back and drops locks right away, and its reply is read by the acquire() that takes the
// connection next. A connection that cannot be reset (closed, lost, busy, inside `transaction()`) is
// closed, and a later acquire() opens a new one. Before handing out an idle connection acquire()
// closes it instead if it is past max_inactive_connection_lifetime, the server ended it, or its reset
// failed. A timer closes idle connections past their lifetime even when nobody acquires.

#include "aio/pg/pool.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/combinators/wait_for.hpp"
#include "aio/errors.hpp"
#include "aio/pg/errors.hpp"
#include "aio/runtime/timer_handle.hpp"
#include "aio/sync/semaphore.hpp"
#include "connection_state.hpp"

namespace aio::pg {

namespace detail {

struct idle_connection {
  connection conn;
  clock::time_point since;  // when it was released (or opened)
};

class pool_state : public std::enable_shared_from_this<pool_state> {
 public:
  pool_state(std::string dsn, pool_options opts)
      : m_dsn(std::move(dsn)),
        m_opts(opts),
        m_loop(&get_running_loop()),
        m_permits(static_cast<std::ptrdiff_t>(opts.max_size)) {}
  pool_state(const pool_state&) = delete;
  pool_state& operator=(const pool_state&) = delete;
  ~pool_state() { close(); }

  void check_open() const {
    if (m_closed) throw interface_error("aio::pg: the pool is closed");
  }

  void close() noexcept {
    m_closed = true;
    m_sweep.cancel();
    for (auto& e : m_idle) e.conn.close();
    m_open -= m_idle.size();
    m_idle.clear();
  }

  [[nodiscard]] bool lifetime_enabled() const noexcept {
    return m_opts.max_inactive_connection_lifetime.count() > 0;
  }

  [[nodiscard]] bool expired(const idle_connection& e) const noexcept {
    return lifetime_enabled() && m_loop->time() - e.since >= std::chrono::duration_cast<clock::duration>(
                                                                 m_opts.max_inactive_connection_lifetime);
  }

  /// Adds a connection to the idle stack (newest at the back) and arms the lifetime timer.
  void push_idle(connection c) {
    m_idle.push_back(idle_connection{std::move(c), m_loop->time()});
    arm_sweep();
  }

  /// Takes a connection back (from a pooled_connection); releases its permit.
  void give_back(connection c) noexcept {
    const auto& s = c.state();
    bool keep = !m_closed && s && !s->is_closed() && !s->is_busy() && s->transaction_depth() == 0;
    if (keep) keep = s->start_reset();
    if (keep) {
      try {
        m_idle.reserve(m_idle.size() + 1);  // so that the push below cannot throw
      } catch (...) {
        keep = false;
      }
    }
    if (keep) {
      m_idle.push_back(detail::idle_connection{std::move(c), m_loop->time()});
      try {
        arm_sweep();
      } catch (...) {
        // Out of memory: acquire() still checks each connection's age.
      }
    } else {
      c.close();
      --m_open;
    }
    m_permits.release();
  }

  /// Closes the idle connections past their lifetime (the oldest are at the front) and re-arms.
  void sweep() noexcept {
    m_sweep = timer_handle();
    m_sweep_armed = false;
    std::size_t n = 0;
    while (n < m_idle.size() && expired(m_idle[n])) ++n;
    for (std::size_t i = 0; i < n; ++i) m_idle[i].conn.close();
    m_idle.erase(m_idle.begin(), m_idle.begin() + static_cast<std::ptrdiff_t>(n));
    m_open -= n;
    try {
      arm_sweep();
    } catch (...) {
      // Out of memory: acquire() still checks each connection's age.
    }
  }

  void arm_sweep() {
    if (m_closed || !lifetime_enabled() || m_idle.empty() || m_sweep_armed) return;
    const auto due = m_idle.front().since +
                     std::chrono::duration_cast<clock::duration>(m_opts.max_inactive_connection_lifetime);
    std::weak_ptr<pool_state> weak = weak_from_this();
    m_sweep = m_loop->call_at(due, [weak] {
      if (auto p = weak.lock()) p->sweep();
    });
    m_sweep_armed = true;
  }

  /// Makes an idle connection ready to hand out: false (having closed it) when it is too old, the
  /// server ended it, or its reset fails. A cancellation closes it and propagates.
  coro<bool> revive(connection& c, bool too_old) {
    const auto s = c.state();
    bool ok = !too_old && s->check_alive();
    std::exception_ptr cancelled;
    if (ok && s->reset_pending()) {
      try {
        co_await s->finish_reset();
        ok = s->check_alive();  // a FATAL queued behind the reset's reply
      } catch (const cancelled_error&) {
        cancelled = std::current_exception();
        ok = false;
      } catch (...) {
        ok = false;
      }
    }
    if (!ok) {
      c.close();
      --m_open;
    }
    if (cancelled) std::rethrow_exception(cancelled);
    co_return ok;
  }

  std::string m_dsn;
  pool_options m_opts;
  event_loop* m_loop;
  semaphore m_permits;
  std::vector<idle_connection> m_idle;
  std::size_t m_open = 0;
  bool m_closed = false;
  timer_handle m_sweep;
  bool m_sweep_armed = false;
};

}  // namespace detail

namespace {

coro<pooled_connection> acquire_now(std::shared_ptr<detail::pool_state> p) {
  p->check_open();
  co_await p->m_permits.acquire();
  std::exception_ptr failure;
  try {
    while (!p->m_idle.empty()) {
      connection c = std::move(p->m_idle.back().conn);
      const bool too_old = p->expired(p->m_idle.back());
      p->m_idle.pop_back();
      const bool ok = co_await p->revive(c, too_old);
      if (ok) co_return pooled_connection(p, std::move(c));
    }
    if (p->m_closed) throw interface_error("aio::pg: the pool is closed");
    const connect_options copts{.statement_cache_size = p->m_opts.statement_cache_size};
    connection c = co_await connect(p->m_dsn, copts);
    ++p->m_open;
    co_return pooled_connection(p, std::move(c));
  } catch (...) {
    failure = std::current_exception();
  }
  p->m_permits.release();
  std::rethrow_exception(failure);
}

coro<pooled_connection> acquire_within(std::shared_ptr<detail::pool_state> p,
                                       std::optional<std::chrono::duration<double>> timeout) {
  if (!timeout) co_return co_await acquire_now(std::move(p));
  bool timed_out = false;
  std::optional<pooled_connection> out;
  try {
    out.emplace(co_await aio::wait_for(acquire_now(std::move(p)), *timeout));
  } catch (const timeout_error&) {
    timed_out = true;
  }
  if (timed_out) {
    throw timeout_error("aio::pg: no connection of the pool within the acquire timeout");
  }
  co_return std::move(*out);
}

coro<detail::query_result> query_from(std::shared_ptr<detail::pool_state> p, detail::query_request rq) {
  const auto timeout = p->m_opts.acquire_timeout;
  pooled_connection c = co_await acquire_within(std::move(p), timeout);
  co_return co_await c->state()->query(std::move(rq));
}

coro<> many_from(std::shared_ptr<detail::pool_state> p, detail::batch_request rq) {
  const auto timeout = p->m_opts.acquire_timeout;
  pooled_connection c = co_await acquire_within(std::move(p), timeout);
  co_await c->state()->execute_many(std::move(rq));
}

coro<pool> open_pool(std::string dsn, pool_options opts) {
  auto p = std::make_shared<detail::pool_state>(std::move(dsn), opts);
  const connect_options copts{.statement_cache_size = opts.statement_cache_size};
  for (std::size_t i = 0; i < opts.min_size.value_or(0); ++i) {
    connection c = co_await connect(p->m_dsn, copts);
    p->push_idle(std::move(c));
    ++p->m_open;
  }
  co_return pool(p);  // a copy: clang-tidy 14 models a coroutine's co_return as moving twice
}

}  // namespace

pooled_connection::pooled_connection(pooled_connection&& o) noexcept
    : m_pool(std::move(o.m_pool)), m_conn(std::move(o.m_conn)) {}

pooled_connection& pooled_connection::operator=(pooled_connection&& o) noexcept {
  if (this != &o) {
    release();
    m_pool = std::move(o.m_pool);
    m_conn = std::move(o.m_conn);
  }
  return *this;
}

void pooled_connection::release() noexcept {
  if (!m_pool) return;
  auto p = std::move(m_pool);
  p->give_back(std::move(m_conn));
}

coro<pooled_connection> pool::acquire() { return acquire_within(m_state, m_state->m_opts.acquire_timeout); }

coro<pooled_connection> pool::acquire(acquire_options opts) {
  return acquire_within(m_state, opts.timeout ? opts.timeout : m_state->m_opts.acquire_timeout);
}

void pool::close() noexcept { m_state->close(); }

std::size_t pool::size() const noexcept { return m_state->m_open; }

std::size_t pool::idle_size() const noexcept { return m_state->m_idle.size(); }

coro<detail::query_result> pool::run_query(detail::query_request rq) {
  return query_from(m_state, std::move(rq));
}

coro<> pool::run_many(detail::batch_request rq) { return many_from(m_state, std::move(rq)); }

coro<pool> create_pool(std::string_view dsn, pool_options opts) {
  if (opts.max_size == 0) throw std::invalid_argument("aio::pg: create_pool needs max_size >= 1");
  if (opts.min_size && *opts.min_size > opts.max_size) {
    throw std::invalid_argument("aio::pg: create_pool needs min_size <= max_size (got " +
                                std::to_string(*opts.min_size) + " > " + std::to_string(opts.max_size) + ")");
  }
  if (!opts.min_size) opts.min_size = std::min<std::size_t>(10, opts.max_size);  // asyncpg's default
  return open_pool(std::string(dsn), opts);
}

}  // namespace aio::pg
