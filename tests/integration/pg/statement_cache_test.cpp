// The statement cache of aio::pg::connection (asyncpg's statement_cache_size) against a private
// server: prepared once then only executed, LRU eviction with DEALLOCATE, disabled at 0, and a
// statement invalidated by a schema change prepared again (outside a transaction) or reported
// (inside one).

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/pg/connection.hpp"
#include "aio/pg/errors.hpp"
#include "aio/pg/pool.hpp"
#include "pg_server.hpp"

using namespace std::chrono_literals;

namespace {

using pg_statement_cache = pg_test::fixture;

/// The session's prepared statements other than the query that counts them (itself cached).
aio::coro<long> prepared_count(aio::pg::connection& c) {
  const long n = co_await c.fetchval<long>(
      "SELECT count(*) FROM pg_prepared_statements WHERE statement NOT LIKE '%pg_prepared_statements%'");
  co_return n;
}

/// How many times the server ran the prepared statement whose text is `sql` (0 if not prepared).
aio::coro<long> executions(aio::pg::connection& c, const std::string& sql) {
  const long n = co_await c.fetchval<long>(
      "SELECT coalesce(sum(generic_plans + custom_plans), 0)::bigint FROM pg_prepared_statements WHERE "
      "statement = $1",
      sql);
  co_return n;
}

TEST_F(pg_statement_cache, prepares_once_then_only_executes) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);  // the default cache: 100
        for (int i = 0; i < 5; ++i) EXPECT_EQ(co_await conn.fetchval<int>("SELECT $1::int", i), i);
        EXPECT_EQ(co_await prepared_count(conn), 1L);
        EXPECT_EQ(co_await executions(conn, "SELECT $1::int"), 5L);
        // fetch, fetchrow and execute with arguments share it.
        EXPECT_EQ((co_await conn.fetch("SELECT $1::int", 7)).size(), 1U);
        EXPECT_EQ((co_await conn.fetchrow("SELECT $1::int", 8))->get<int>(0), 8);
        EXPECT_EQ(co_await conn.execute("SELECT $1::int", 9), "SELECT 1");
        EXPECT_EQ(co_await executions(conn, "SELECT $1::int"), 8L);
        EXPECT_EQ(co_await prepared_count(conn), 1L);
        // A failing run keeps the statement; a statement that does not parse is not cached.
        bool failed = false;
        try {
          co_await conn.fetchval<int>("SELECT 1 / $1::int", 0);
        } catch (const aio::pg::postgres_error& e) {
          failed = e.sqlstate() == "22012";
        }
        EXPECT_TRUE(failed);
        failed = false;
        try {
          co_await conn.fetchval<int>("SELEC $1::int", 1);
        } catch (const aio::pg::postgres_error& e) {
          failed = e.sqlstate() == "42601";
        }
        EXPECT_TRUE(failed);
        EXPECT_EQ(co_await prepared_count(conn), 2L);
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT 1 / $1::int", 1), 1);
      }(dsn()),
      real_time());
}

TEST_F(pg_statement_cache, lru_eviction_deallocates) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn, {.statement_cache_size = 3});
        // The server never holds more than the cache size, the counting query included.
        for (int k = 0; k < 10; ++k) {
          const std::string sql = "SELECT $1::int + " + std::to_string(k);
          EXPECT_EQ(co_await conn.fetchval<int>(sql, 1), 1 + k);
          EXPECT_LE(co_await conn.fetchval<long>("SELECT count(*) FROM pg_prepared_statements"), 3L);
        }
        // Least recently used goes first: A, B, the counter; A again; D evicts B.
        co_await conn.fetchval<int>("SELECT $1::int AS a", 1);
        co_await conn.fetchval<int>("SELECT $1::int AS b", 1);
        const auto listing = [&]() -> aio::coro<std::string> {
          std::string out;
          for (const auto& r :
               co_await conn.fetch("SELECT statement FROM pg_prepared_statements ORDER BY 1")) {
            out += r.get<std::string>(0) + ";";
          }
          co_return out;
        };
        const std::string before = co_await listing();
        EXPECT_NE(before.find("AS a"), std::string::npos) << before;
        EXPECT_NE(before.find("AS b"), std::string::npos) << before;
        co_await conn.fetchval<int>("SELECT $1::int AS a", 2);
        co_await conn.fetchval<int>("SELECT $1::int AS d", 1);
        const std::string after = co_await listing();
        EXPECT_NE(after.find("AS a"), std::string::npos) << after;
        EXPECT_EQ(after.find("AS b"), std::string::npos) << after;
        EXPECT_NE(after.find("AS d"), std::string::npos) << after;
      }(dsn()),
      real_time());
}

TEST_F(pg_statement_cache, zero_disables) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn, {.statement_cache_size = 0});
        for (int i = 0; i < 3; ++i) EXPECT_EQ(co_await conn.fetchval<int>("SELECT $1::int", i), i);
        EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM pg_prepared_statements"), 0L);
      }(dsn()),
      real_time());
}

TEST_F(pg_statement_cache, pool_option_reaches_each_connection) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto pool = co_await aio::pg::create_pool(dsn, {.max_size = 4, .statement_cache_size = 2});
        for (int k = 0; k < 6; ++k) {
          EXPECT_EQ(co_await pool.fetchval<int>("SELECT $1::int * " + std::to_string(k), 2), 2 * k);
        }
        auto c = co_await pool.acquire();
        EXPECT_LE(co_await c->fetchval<long>("SELECT count(*) FROM pg_prepared_statements"), 2L);
      }(dsn()),
      real_time());
}

TEST_F(pg_statement_cache, schema_change_reprepares_outside_transaction) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TABLE sc_t (a int); INSERT INTO sc_t VALUES (1)");
        const char* sql = "SELECT * FROM sc_t WHERE a = $1";
        EXPECT_EQ((co_await conn.fetchrow(sql, 1))->size(), 1U);
        co_await conn.execute("ALTER TABLE sc_t ADD COLUMN b text DEFAULT 'x'");
        // The cached plan's row type changed (0A000): dropped, prepared again, run again.
        const auto row = co_await conn.fetchrow(sql, 1);
        EXPECT_TRUE(row.has_value());
        if (row) {
          EXPECT_EQ(row->size(), 2U);
          EXPECT_EQ(row->get<std::string>("b"), "x");
        }
        EXPECT_EQ(co_await prepared_count(conn), 1L);  // the old statement was deallocated

        // Inside a transaction the error reaches the caller (the transaction is aborted) ...
        co_await conn.execute("ALTER TABLE sc_t ALTER COLUMN a TYPE bigint");
        std::string sqlstate;
        try {
          co_await conn.transaction([&]() -> aio::coro<> { co_await conn.fetchrow(sql, 1); });
        } catch (const aio::pg::postgres_error& e) {
          sqlstate = e.sqlstate();
        }
        EXPECT_EQ(sqlstate, "0A000");
        EXPECT_FALSE(conn.is_in_transaction());
        // ... and the next call prepares it anew.
        EXPECT_EQ((co_await conn.fetchrow(sql, 1))->get<long>("a"), 1L);
        EXPECT_EQ(co_await prepared_count(conn), 1L);
      }(dsn()),
      real_time());
}

TEST_F(pg_statement_cache, cancelled_cached_query_leaves_connection_usable) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn, {.statement_cache_size = 4});
        bool timed_out = false;
        try {
          co_await aio::wait_for(conn.fetch("SELECT pg_sleep($1)", 10), 0.2s);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_FALSE(conn.is_closed());
        EXPECT_EQ((co_await conn.fetch("SELECT pg_sleep($1)", 0)).size(), 1U);  // the cached statement
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT $1::int", 5), 5);
      }(dsn()),
      real_time());
}

}  // namespace
