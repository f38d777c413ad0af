// executemany (connection and pool) against a private server: one pipeline, atomic outside a
// transaction and inside one, the failing row's index, a bad statement, cancellation, and a cached
// statement invalidated by a schema change.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "aio/aio.hpp"
#include "aio/pg/connection.hpp"
#include "aio/pg/errors.hpp"
#include "aio/pg/pool.hpp"
#include "pg_server.hpp"

using namespace std::chrono_literals;

namespace {

using pg_executemany = pg_test::fixture;

std::vector<std::tuple<int, std::string>> numbered(int n) {
  std::vector<std::tuple<int, std::string>> rows;
  for (int i = 0; i < n; ++i) rows.emplace_back(i, "row " + std::to_string(i));
  return rows;
}

TEST_F(pg_executemany, inserts_every_row) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        for (const std::size_t cache : {std::size_t{100}, std::size_t{0}}) {
          auto conn = co_await aio::pg::connect(dsn, {.statement_cache_size = cache});
          co_await conn.execute(
              "DROP TABLE IF EXISTS em_t; CREATE TABLE em_t (id int PRIMARY KEY, name text)");
          const auto rows = numbered(1000);
          co_await conn.executemany("INSERT INTO em_t VALUES ($1, $2)", rows);
          EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_t"), 1000L);
          EXPECT_EQ(co_await conn.fetchval<std::string>("SELECT name FROM em_t WHERE id = $1", 999),
                    "row 999");
          // Other row shapes: pairs, vectors of text, NULLs; an empty batch does nothing.
          const std::vector<std::pair<int, std::optional<std::string>>> pairs{{1000, std::nullopt}};
          co_await conn.executemany("INSERT INTO em_t VALUES ($1, $2)", pairs);
          const std::vector<std::vector<std::string>> texts{{"1001", "a"}, {"1002", "b"}};
          co_await conn.executemany("INSERT INTO em_t VALUES ($1, $2)", texts);
          const std::vector<std::tuple<int, int>> none;
          co_await conn.executemany("INSERT INTO em_t VALUES ($1, $2)", none);
          EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_t"), 1003L);
          EXPECT_TRUE((co_await conn.fetchval("SELECT name FROM em_t WHERE id = 1000")).is_null());
          // A second batch through the cached statement.
          co_await conn.execute("TRUNCATE em_t");
          co_await conn.executemany("INSERT INTO em_t VALUES ($1, $2)", rows);
          EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_t"), 1000L);
        }
      }(dsn()),
      real_time());
}

TEST_F(pg_executemany, failing_row_is_named_and_batch_is_atomic) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TABLE em_a (id int PRIMARY KEY)");
        const std::vector<std::tuple<int>> rows{{1}, {2}, {3}, {2}, {5}};  // row 3 repeats a key
        // Outside a transaction: the batch is one implicit transaction, so rows 0..2 are undone too.
        std::size_t row = 99;
        std::string sqlstate;
        std::string what;
        try {
          co_await conn.executemany("INSERT INTO em_a VALUES ($1)", rows);
        } catch (const aio::pg::executemany_error& e) {
          row = e.row();
          sqlstate = e.sqlstate();
          what = e.what();
        }
        EXPECT_EQ(row, 3U);
        EXPECT_EQ(sqlstate, "23505");
        EXPECT_NE(what.find("executemany row 3"), std::string::npos) << what;
        EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_a"), 0L);
        EXPECT_FALSE(conn.is_in_transaction());
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT $1::int", 1), 1);  // usable
        // Inside a transaction: the caller's transaction is aborted and rolled back by transaction().
        row = 99;
        try {
          co_await conn.transaction([&]() -> aio::coro<> {
            co_await conn.execute("INSERT INTO em_a VALUES (100)");
            co_await conn.executemany("INSERT INTO em_a VALUES ($1)", rows);
          });
        } catch (const aio::pg::executemany_error& e) {
          row = e.row();
        }
        EXPECT_EQ(row, 3U);
        EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_a"), 0L);
        // By hand: the transaction stays open and aborted until the caller rolls back.
        co_await conn.execute("BEGIN");
        bool failed = false;
        try {
          co_await conn.executemany("INSERT INTO em_a VALUES ($1)", rows);
        } catch (const aio::pg::postgres_error&) {
          failed = true;
        }
        EXPECT_TRUE(failed);
        EXPECT_TRUE(conn.is_in_transaction());
        co_await conn.execute("ROLLBACK");
        // A statement that does not prepare is a plain postgres_error (no row failed).
        bool plain = false;
        try {
          co_await conn.executemany("INSERT INTO no_such_table VALUES ($1)", rows);
        } catch (const aio::pg::executemany_error&) {
          plain = false;
        } catch (const aio::pg::postgres_error& e) {
          plain = e.sqlstate() == "42P01";
        }
        EXPECT_TRUE(plain);
        // Rows are named before the co_await: a braced list inside one does not compile on g++ 12
        // (docs/design/compilers.md, Bug 2).
        const std::vector<std::tuple<int>> good{{7}, {8}};
        co_await conn.executemany("INSERT INTO em_a VALUES ($1)", good);
        EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_a"), 2L);
      }(dsn()),
      real_time());
}

TEST_F(pg_executemany, cancelled_batch_leaves_connection_clean) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TABLE em_c (id int)");
        std::vector<std::tuple<int, double>> rows;
        for (int i = 0; i < 50; ++i) rows.emplace_back(i, 0.05);
        bool timed_out = false;
        try {
          co_await aio::wait_for(
              conn.executemany("INSERT INTO em_c SELECT $1::int FROM pg_sleep($2::float8)", rows), 0.4s);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_FALSE(conn.is_closed());
        EXPECT_FALSE(conn.is_in_transaction());
        EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_c"), 0L);  // rolled back
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT $1::int", 3), 3);
        const std::vector<std::tuple<int>> two{{1}, {2}};
        co_await conn.executemany("INSERT INTO em_c VALUES ($1)", two);
        EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM em_c"), 2L);
      }(dsn()),
      real_time());
}

TEST_F(pg_executemany, pool_and_invalidated_statement) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 1, .max_size = 1});
        co_await pool.execute("CREATE TABLE em_p (a int)");
        const std::vector<std::tuple<int>> three{{1}, {2}, {3}};
        co_await pool.executemany("INSERT INTO em_p VALUES ($1)", three);
        EXPECT_EQ(co_await pool.fetchval<long>("SELECT count(*) FROM em_p"), 3L);
        // A cached statement whose row type a schema change altered is prepared again, once.
        const char* sql = "SELECT * FROM em_p WHERE a = $1";
        const std::vector<std::tuple<int>> one{{1}};
        co_await pool.executemany(sql, one);
        co_await pool.execute("ALTER TABLE em_p ADD COLUMN b int");
        co_await pool.executemany(sql, three);
        EXPECT_EQ(pool.size(), 1U);
      }(dsn()),
      real_time());
}

}  // namespace
