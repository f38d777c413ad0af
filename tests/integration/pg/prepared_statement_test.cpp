// aio::pg::prepared_statement: prepare once, run with different arguments.

#include "aio/pg/prepared_statement.hpp"

#include <gtest/gtest.h>

#include <string>

#include "aio/aio.hpp"
#include "aio/pg/connection.hpp"
#include "aio/pg/errors.hpp"
#include "pg_server.hpp"

namespace {

using pg_prepared_statement = pg_test::fixture;

TEST_F(pg_prepared_statement, prepare_and_run) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TEMP TABLE kv (k int PRIMARY KEY, v text)");
        auto insert = co_await conn.prepare("INSERT INTO kv VALUES ($1, $2)");
        EXPECT_EQ(co_await insert.execute(1, "a"), "INSERT 0 1");
        EXPECT_EQ(co_await insert.execute(2, "b"), "INSERT 0 1");
        auto get = co_await conn.prepare("SELECT v FROM kv WHERE k = $1");
        EXPECT_EQ(co_await get.fetchval<std::string>(2), "b");
        EXPECT_TRUE((co_await get.fetchval(3)).is_null());
        EXPECT_FALSE((co_await get.fetchrow(3)).has_value());
        auto all = co_await conn.prepare("SELECT k, v FROM kv ORDER BY k");
        auto rows = co_await all.fetch();
        EXPECT_EQ(rows.size(), 2U);
        EXPECT_NE(insert.name(), get.name());
        EXPECT_EQ(get.sql(), "SELECT v FROM kv WHERE k = $1");
        // A constraint violation through a statement, then the statement still works.
        std::string state;
        try {
          co_await insert.execute(1, "again");
        } catch (const aio::pg::postgres_error& e) {
          state = e.sqlstate();
        }
        EXPECT_EQ(state, "23505");
        EXPECT_EQ(co_await insert.execute(3, "c"), "INSERT 0 1");
      }(dsn()),
      real_time());
}

TEST_F(pg_prepared_statement, bad_statement_fails_at_prepare) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        std::string state;
        try {
          co_await conn.prepare("SELECT * FROM no_such_table");
        } catch (const aio::pg::postgres_error& e) {
          state = e.sqlstate();
        }
        EXPECT_EQ(state, "42P01");
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT 1"), 1);
      }(dsn()),
      real_time());
}

}  // namespace
