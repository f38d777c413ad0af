// aio::pg::pool: idle connections in a stack, a semaphore counting the ones that may be out.
//
// Invariant: m_open = idle.size() + acquired; the semaphore holds max_size - acquired permits, so a
// task waits in acquire() exactly while max_size connections are out. A released connection is reused
// only if it is clean (open, idle, outside a transaction, without listeners); otherwise it is closed
// (the server rolls back) and a later acquire() opens a new one.

#include "aio/pg/pool.hpp"

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/pg/errors.hpp"
#include "aio/sync/semaphore.hpp"
#include "connection_state.hpp"

namespace aio::pg {

namespace detail {

class pool_state {
 public:
  pool_state(std::string dsn, pool_options opts)
      : m_dsn(std::move(dsn)), m_opts(opts), m_permits(static_cast<std::ptrdiff_t>(opts.max_size)) {}
  pool_state(const pool_state&) = delete;
  pool_state& operator=(const pool_state&) = delete;
  ~pool_state() { close(); }

  void check_open() const {
    if (m_closed) throw interface_error("aio::pg: the pool is closed");
  }

  void close() noexcept {
    m_closed = true;
    for (auto& c : m_idle) c.close();
    m_open -= m_idle.size();
    m_idle.clear();
  }

  /// Takes a connection back (from a pooled_connection); releases its permit.
  void give_back(connection c) noexcept {
    const auto& s = c.state();
    const bool clean = !m_closed && s && !s->is_closed() && !s->is_busy() && !s->in_transaction() &&
                       !s->has_listeners() && s->transaction_depth() == 0;
    if (clean) {
      try {
        m_idle.push_back(std::move(c));
      } catch (...) {
        c.close();
        --m_open;
      }
    } else {
      c.close();
      --m_open;
    }
    m_permits.release();
  }

  std::string m_dsn;
  pool_options m_opts;
  semaphore m_permits;
  std::vector<connection> m_idle;
  std::size_t m_open = 0;
  bool m_closed = false;
};

}  // namespace detail

namespace {

coro<pooled_connection> acquire_from(std::shared_ptr<detail::pool_state> p) {
  p->check_open();
  co_await p->m_permits.acquire();
  while (!p->m_idle.empty()) {
    connection c = std::move(p->m_idle.back());
    p->m_idle.pop_back();
    if (!c.is_closed()) co_return pooled_connection(p, std::move(c));
    --p->m_open;  // lost while idle (server restart): open a new one instead
  }
  std::exception_ptr failure;
  try {
    if (p->m_closed) throw interface_error("aio::pg: the pool is closed");
    connection c = co_await connect(p->m_dsn);
    ++p->m_open;
    co_return pooled_connection(p, std::move(c));
  } catch (...) {
    failure = std::current_exception();
  }
  p->m_permits.release();
  std::rethrow_exception(failure);
}

coro<detail::query_result> query_from(std::shared_ptr<detail::pool_state> p, detail::query_request rq) {
  pooled_connection c = co_await acquire_from(std::move(p));
  co_return co_await c->state()->query(std::move(rq));
}

coro<pool> open_pool(std::string dsn, pool_options opts) {
  auto p = std::make_shared<detail::pool_state>(std::move(dsn), opts);
  for (std::size_t i = 0; i < opts.min_size; ++i) {
    connection c = co_await connect(p->m_dsn);
    p->m_idle.push_back(std::move(c));
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

coro<pooled_connection> pool::acquire() { return acquire_from(m_state); }

void pool::close() noexcept { m_state->close(); }

std::size_t pool::size() const noexcept { return m_state->m_open; }

std::size_t pool::idle_size() const noexcept { return m_state->m_idle.size(); }

coro<detail::query_result> pool::run_query(detail::query_request rq) {
  return query_from(m_state, std::move(rq));
}

coro<pool> create_pool(std::string_view dsn, pool_options opts) {
  if (opts.max_size == 0) throw std::invalid_argument("aio::pg: create_pool needs max_size >= 1");
  if (opts.min_size > opts.max_size) {
    throw std::invalid_argument("aio::pg: create_pool needs min_size <= max_size (got " +
                                std::to_string(opts.min_size) + " > " + std::to_string(opts.max_size) + ")");
  }
  return open_pool(std::string(dsn), opts);
}

}  // namespace aio::pg
