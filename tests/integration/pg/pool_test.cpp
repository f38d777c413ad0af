// aio::pg::pool: sizes, waiting when exhausted, query methods, the reset on release, lost and
// inactive connections, the acquire timeout.

#include "aio/pg/pool.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "aio/aio.hpp"
#include "aio/pg/errors.hpp"
#include "pg_server.hpp"

using namespace std::chrono_literals;

namespace {

using pg_pool = pg_test::fixture;

TEST_F(pg_pool, query_methods_and_sizes) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 2, .max_size = 4});
        EXPECT_EQ(pool.size(), 2U);
        EXPECT_EQ(pool.idle_size(), 2U);
        EXPECT_EQ(co_await pool.fetchval<int>("SELECT $1::int * 2", 21), 42);
        EXPECT_EQ((co_await pool.fetch("SELECT generate_series(1, 3)")).size(), 3U);
        EXPECT_TRUE((co_await pool.fetchrow("SELECT 1")).has_value());
        EXPECT_EQ(co_await pool.execute("SELECT 1"), "SELECT 1");
        EXPECT_EQ(pool.idle_size(), 2U);  // each call gave its connection back
        pool.close();
        std::string what;
        try {
          co_await pool.acquire();
        } catch (const aio::pg::interface_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("closed"), std::string::npos) << what;
      }(dsn()),
      real_time());
}

TEST_F(pg_pool, exhaustion_waits_then_proceeds) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 0, .max_size = 2});
        auto a = co_await pool.acquire();
        auto b = co_await pool.acquire();
        EXPECT_EQ(pool.size(), 2U);
        auto third = aio::create_task(pool.fetchval<int>("SELECT 3"));
        co_await aio::sleep(0.1s);
        EXPECT_FALSE(third.done());  // waits for a connection
        const int pid_a = a->get_server_pid();
        a.release();
        EXPECT_EQ(co_await aio::wait_for(third, 5s), 3);
        EXPECT_EQ(pool.size(), 2U);  // it reused a's connection
        auto again = co_await pool.acquire();
        EXPECT_EQ(again->get_server_pid(), pid_a);
        // A cancelled wait takes no connection.
        bool timed_out = false;
        try {
          co_await aio::wait_for(pool.acquire(), 0.05s);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
      }(dsn()),
      real_time());
}

TEST_F(pg_pool, released_connection_is_reset_and_reused) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 1, .max_size = 1});
        auto other = co_await aio::pg::connect(dsn);
        co_await other.execute("CREATE TABLE reset_t (id int)");
        int pid = 0;
        {
          auto c = co_await pool.acquire();
          pid = c->get_server_pid();
          co_await c->execute("SET application_name = 'dirty'");
          co_await c->fetch("SELECT pg_advisory_lock(42)");
          co_await c->execute("DECLARE cur CURSOR WITH HOLD FOR SELECT 1");  // outlives its transaction
          co_await c->execute("LISTEN some_channel");
          co_await c->execute("BEGIN");  // released inside a transaction, holding locks
          co_await c->execute("INSERT INTO reset_t VALUES (1)");
        }
        // The reset went out at release: the server rolled back and dropped the locks before any
        // acquire (asyncpg: ROLLBACK; pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL).
        bool unlocked = false;
        for (int i = 0; i < 100 && !unlocked; ++i) {
          unlocked = co_await other.fetchval<bool>("SELECT pg_try_advisory_lock(42)");
          if (!unlocked) co_await aio::sleep(0.02s);
        }
        EXPECT_TRUE(unlocked);
        co_await other.fetch("SELECT pg_advisory_unlock(42)");
        EXPECT_EQ(co_await other.fetchval<long>("SELECT count(*) FROM reset_t"), 0L);
        EXPECT_EQ(pool.size(), 1U);  // kept, not closed
        auto c = co_await pool.acquire();
        EXPECT_EQ(c->get_server_pid(), pid);  // the same session, reused
        EXPECT_FALSE(c->is_in_transaction());
        EXPECT_EQ(co_await c->fetchval<std::string>("SHOW application_name"), "");
        EXPECT_EQ(co_await c->fetchval<long>("SELECT count(*) FROM pg_cursors WHERE name = 'cur'"), 0L);
        EXPECT_EQ(co_await c->fetchval<long>("SELECT count(*) FROM pg_listening_channels()"), 0L);
        // A query cancelled through the pool leaves a clean connection behind.
        c.release();
        bool timed_out = false;
        try {
          co_await aio::wait_for(pool.execute("SELECT pg_sleep(10)"), 0.2s);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(pool.idle_size(), 1U);
        auto d = co_await pool.acquire();
        EXPECT_EQ(d->get_server_pid(), pid);
        EXPECT_EQ(co_await d->fetchval<int>("SELECT 1"), 1);
      }(dsn()),
      real_time());
}

/// Client backends other than the caller's, as the server sees them.
aio::coro<long> backends(aio::pg::connection& monitor) {
  const long n = co_await monitor.fetchval<long>(
      "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> "
      "pg_backend_pid()");
  co_return n;
}

/// Waits (up to 5 s) for the server to count `want` other client backends; returns the last count.
aio::coro<long> settle_backends(aio::pg::connection& monitor, long want) {
  long n = -1;
  for (int i = 0; i < 250; ++i) {
    n = co_await backends(monitor);
    if (n == want) break;
    co_await aio::sleep(0.02s);
  }
  co_return n;
}

TEST_F(pg_pool, connection_released_inside_transaction_body_is_closed) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto monitor = co_await aio::pg::connect(dsn);
        auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 0, .max_size = 1});
        auto c = co_await pool.acquire();
        const int pid = c->get_server_pid();
        // Giving the connection back while transaction() still runs on it: it cannot be reset under
        // the body, so it is closed (the server rolls back; the COMMIT then fails), and the pool opens
        // another.
        auto& conn = *c;
        bool failed = false;
        try {
          co_await conn.transaction([&]() -> aio::coro<> {
            c.release();
            co_return;
          });
        } catch (const aio::pg::interface_error&) {
          failed = true;
        }
        EXPECT_TRUE(failed);
        EXPECT_EQ(pool.size(), 0U);
        auto d = co_await pool.acquire();
        EXPECT_NE(d->get_server_pid(), pid);
        EXPECT_EQ(co_await settle_backends(monitor, 1), 1L);
      }(dsn()),
      real_time());
}

TEST_F(pg_pool, terminated_connection_is_replaced) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto monitor = co_await aio::pg::connect(dsn);
        auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 2, .max_size = 2});
        EXPECT_EQ(co_await settle_backends(monitor, 2), 2L);
        // An idle connection whose backend the server ended: never handed out.
        int idle_pid = 0;
        {
          auto c = co_await pool.acquire();
          idle_pid = c->get_server_pid();
        }
        co_await monitor.fetch("SELECT pg_terminate_backend($1)", idle_pid);
        EXPECT_EQ(co_await settle_backends(monitor, 1), 1L);
        {  // both at once: the dead one was replaced by a new one
          auto c1 = co_await pool.acquire();
          auto c2 = co_await pool.acquire();
          EXPECT_NE(c1->get_server_pid(), idle_pid);
          EXPECT_NE(c2->get_server_pid(), idle_pid);
          EXPECT_EQ(co_await c1->fetchval<int>("SELECT $1::int", 1), 1);
          EXPECT_EQ(co_await c2->fetchval<int>("SELECT $1::int", 2), 2);
        }
        EXPECT_EQ(pool.size(), 2U);
        // An acquired connection killed mid-query: the query fails, the pool closes it on release.
        int busy_pid = 0;
        {
          auto c = co_await pool.acquire();
          busy_pid = c->get_server_pid();
          auto q = aio::create_task(c->fetch("SELECT pg_sleep(10)"));
          co_await aio::sleep(0.2s);
          co_await monitor.fetch("SELECT pg_terminate_backend($1)", busy_pid);
          bool failed = false;
          try {
            co_await aio::wait_for(q, 5s);
          } catch (const aio::pg::postgres_error&) {
            failed = true;  // 57P01 admin_shutdown
          } catch (const aio::pg::interface_error&) {
            failed = true;  // the connection was lost
          }
          EXPECT_TRUE(failed);
        }
        EXPECT_EQ(pool.size(), 1U);
        // Not poisoned: both connections serve queries, and no backend leaked.
        auto a = co_await pool.acquire();
        auto b = co_await pool.acquire();
        EXPECT_NE(a->get_server_pid(), busy_pid);
        EXPECT_NE(b->get_server_pid(), busy_pid);
        EXPECT_EQ(co_await a->fetchval<int>("SELECT 1"), 1);
        EXPECT_EQ(co_await b->fetchval<int>("SELECT 2"), 2);
        EXPECT_EQ(co_await settle_backends(monitor, 2), 2L);
        a.release();
        b.release();
        pool.close();
        EXPECT_EQ(co_await settle_backends(monitor, 0), 0L);
      }(dsn()),
      real_time());
}

TEST_F(pg_pool, inactive_connections_are_closed) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto monitor = co_await aio::pg::connect(dsn);
        auto pool = co_await aio::pg::create_pool(
            dsn, {.min_size = 2, .max_size = 3, .max_inactive_connection_lifetime = 0.3s});
        EXPECT_EQ(co_await settle_backends(monitor, 2), 2L);
        EXPECT_EQ(co_await pool.fetchval<int>("SELECT 7"), 7);
        co_await aio::sleep(0.6s);  // nobody acquires: the timer closes them
        EXPECT_EQ(pool.size(), 0U);
        EXPECT_EQ(pool.idle_size(), 0U);
        EXPECT_EQ(co_await settle_backends(monitor, 0), 0L);
        EXPECT_EQ(co_await pool.fetchval<int>("SELECT 8"), 8);  // reopened on demand
        EXPECT_EQ(pool.size(), 1U);
        // Zero keeps idle connections forever.
        auto keep = co_await aio::pg::create_pool(
            dsn, {.min_size = 1, .max_size = 1, .max_inactive_connection_lifetime = 0s});
        co_await aio::sleep(0.4s);
        EXPECT_EQ(keep.size(), 1U);
      }(dsn()),
      real_time());
}

TEST_F(pg_pool, acquire_timeout) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto pool =
            co_await aio::pg::create_pool(dsn, {.min_size = 0, .max_size = 1, .acquire_timeout = 0.2s});
        auto held = co_await pool.acquire();
        std::string what;
        const auto t0 = std::chrono::steady_clock::now();
        try {
          co_await pool.acquire();
        } catch (const aio::timeout_error& e) {
          what = e.what();
        }
        const auto waited = std::chrono::steady_clock::now() - t0;
        EXPECT_NE(what.find("acquire timeout"), std::string::npos) << what;
        EXPECT_GE(waited, 0.15s);
        EXPECT_LT(waited, 2s);
        // The pool's query methods obey it too.
        bool timed_out = false;
        try {
          co_await pool.fetchval<int>("SELECT 1");
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        // Per call: acquire({.timeout = ...}) overrides the pool's.
        timed_out = false;
        try {
          co_await pool.acquire({.timeout = 0.05s});
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        // Not poisoned: the timed-out waits took no permit.
        held.release();
        auto again = co_await pool.acquire({.timeout = 1s});
        EXPECT_EQ(co_await again->fetchval<int>("SELECT 3"), 3);
        EXPECT_EQ(pool.size(), 1U);
      }(dsn()),
      real_time());
}

TEST_F(pg_pool, bad_sizes_and_failed_connect) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        bool invalid = false;
        try {
          co_await aio::pg::create_pool(dsn, {.min_size = 3, .max_size = 2});
        } catch (const std::invalid_argument&) {
          invalid = true;
        }
        EXPECT_TRUE(invalid);
        auto pool = co_await aio::pg::create_pool("host=127.0.0.1 port=1", {.min_size = 0, .max_size = 1});
        for (int i = 0; i < 2; ++i) {  // a failed connect gives its permit back
          bool failed = false;
          try {
            co_await pool.acquire();
          } catch (const aio::pg::connection_error&) {
            failed = true;
          }
          EXPECT_TRUE(failed);
        }
      }(dsn()),
      real_time());
}

}  // namespace
