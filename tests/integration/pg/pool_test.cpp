// aio::pg::pool: sizes, waiting when exhausted, query methods, dirty connections never reused.

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

TEST_F(pg_pool, dirty_connection_is_not_reused) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 1, .max_size = 1});
        int pid = 0;
        {
          auto c = co_await pool.acquire();
          pid = c->get_server_pid();
          co_await c->execute("BEGIN");  // released inside a transaction
        }
        EXPECT_EQ(pool.size(), 0U);
        auto c = co_await pool.acquire();
        EXPECT_NE(c->get_server_pid(), pid);
        EXPECT_FALSE(c->is_in_transaction());
        // A query cancelled through the pool leaves a clean connection behind.
        const int pid2 = c->get_server_pid();
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
        EXPECT_EQ(d->get_server_pid(), pid2);
        EXPECT_EQ(co_await d->fetchval<int>("SELECT 1"), 1);
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
