// docs/guide/postgres.md: each block of the guide, completed into a coroutine that runs against the
// tests' private PostgreSQL server (tests/integration/pg/pg_server.hpp; skipped without one) on the real
// clock, with aio_test::run's leak checks.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <aio/pg.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "tests/integration/pg/pg_server.hpp"

using namespace std::chrono_literals;

namespace {

using DocPostgres = pg_test::fixture;

// ---- queries
aio::coro<> queries_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);  // "host=/run/postgresql dbname=app" or "postgresql://..."
  co_await conn.execute("CREATE TEMP TABLE users (id int PRIMARY KEY, name text, karma float8)");
  std::string status = co_await conn.execute("INSERT INTO users VALUES ($1, $2, $3)", 1, "ada", 4.5);
  // status == "INSERT 0 1"
  co_await conn.execute("INSERT INTO users VALUES ($1, $2, $3)", 2, std::nullopt, 0.0);  // NULL name

  std::vector<aio::pg::record> rows = co_await conn.fetch("SELECT id, name FROM users ORDER BY id");
  for (const auto& row : rows) {
    int id = row.get<int>("id");
    std::optional<std::string> name = row.get<std::optional<std::string>>("name");
    // ...
    EXPECT_GT(id, 0);
    EXPECT_EQ(name.has_value(), id == 1);
  }
  std::optional<aio::pg::record> row = co_await conn.fetchrow("SELECT * FROM users WHERE id = $1", 1);
  int count = co_await conn.fetchval<int>("SELECT count(*) FROM users");
  aio::pg::value missing = co_await conn.fetchval("SELECT name FROM users WHERE id = $1", 99);
  // missing.is_null(): no row (asyncpg's None)
  EXPECT_EQ(status, "INSERT 0 1");
  EXPECT_TRUE(row.has_value());
  EXPECT_EQ(count, 2);
  EXPECT_TRUE(missing.is_null());
}

TEST_F(DocPostgres, Queries) { aio_test::run(queries_block(dsn()), real_time()); }

// ---- errors
aio::coro<> errors_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);
  co_await conn.execute("CREATE TEMP TABLE users (id int PRIMARY KEY)");
  co_await conn.execute("INSERT INTO users VALUES (1)");
  std::string sqlstate;
  try {
    co_await conn.execute("INSERT INTO users VALUES ($1)", 1);
  } catch (const aio::pg::postgres_error& e) {
    sqlstate = e.sqlstate();  // "23505": unique_violation; e.detail(): "Key (id)=(1) already exists."
  }
  EXPECT_EQ(sqlstate, "23505");
}

TEST_F(DocPostgres, Errors) { aio_test::run(errors_block(dsn()), real_time()); }

// ---- transaction
aio::coro<> transaction_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);
  co_await conn.execute("CREATE TEMP TABLE accounts (id int PRIMARY KEY, balance int)");
  co_await conn.execute("INSERT INTO accounts VALUES (1, 100), (2, 0)");
  int left = co_await conn.transaction([&]() -> aio::coro<int> {
    co_await conn.execute("UPDATE accounts SET balance = balance - $1 WHERE id = 1", 30);
    co_await conn.execute("UPDATE accounts SET balance = balance + $1 WHERE id = 2", 30);
    co_return co_await conn.fetchval<int>("SELECT balance FROM accounts WHERE id = 1");
  });  // COMMIT; an exception or a cancellation in the body rolls back instead
  EXPECT_EQ(left, 70);
}

TEST_F(DocPostgres, Transaction) { aio_test::run(transaction_block(dsn()), real_time()); }

// ---- timeout
aio::coro<> timeout_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);
  bool timed_out = false;
  try {
    co_await aio::wait_for(conn.fetch("SELECT pg_sleep(60)"), 1s);
  } catch (const aio::timeout_error&) {
    timed_out = true;  // the server was told to cancel the statement; conn is usable again
  }
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(co_await conn.fetchval<int>("SELECT 1"), 1);
}

TEST_F(DocPostgres, Timeout) { aio_test::run(timeout_block(dsn()), real_time()); }

// ---- prepared
aio::coro<> prepared_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);
  co_await conn.execute("CREATE TEMP TABLE users (id int PRIMARY KEY, name text)");
  auto insert = co_await conn.prepare("INSERT INTO users VALUES ($1, $2)");
  for (int id = 1; id <= 3; ++id) co_await insert.execute(id, "user " + std::to_string(id));
  auto by_id = co_await conn.prepare("SELECT name FROM users WHERE id = $1");
  std::string name = co_await by_id.fetchval<std::string>(2);  // "user 2"
  EXPECT_EQ(name, "user 2");
}

TEST_F(DocPostgres, Prepared) { aio_test::run(prepared_block(dsn()), real_time()); }

// ---- listen
aio::coro<> listen_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);
  auto other = co_await aio::pg::connect(dsn);
  aio::pg::listener jobs = co_await conn.listen("jobs");
  co_await other.execute("NOTIFY jobs, 'job 1'");
  aio::pg::notification n = co_await jobs.next();  // n.channel "jobs", n.payload "job 1", n.pid
  co_await jobs.unlisten();
  EXPECT_EQ(n.channel, "jobs");
  EXPECT_EQ(n.payload, "job 1");
  EXPECT_EQ(n.pid, other.get_server_pid());
}

TEST_F(DocPostgres, Listen) { aio_test::run(listen_block(dsn()), real_time()); }

// ---- pool
aio::coro<> pool_block(std::string dsn) {
  auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 1, .max_size = 5});
  int answer = co_await pool.fetchval<int>("SELECT 6 * 7");  // on any free connection
  {
    aio::pg::pooled_connection conn = co_await pool.acquire();  // waits while 5 are out
    auto rows = co_await conn->fetch("SELECT generate_series(1, 3)");
    auto one = co_await conn->fetchval<int>("SELECT 1");  // same connection, same session
    EXPECT_EQ(rows.size(), 3U);
    EXPECT_EQ(one, 1);
  }  // back to the pool: reset (rolled back if left in a transaction), then reused
  pool.close();
  EXPECT_EQ(answer, 42);
}

TEST_F(DocPostgres, Pool) { aio_test::run(pool_block(dsn()), real_time()); }

// ---- pool hygiene: lifetime and acquire timeout
aio::coro<> pool_timeout_block(std::string dsn) {
  auto pool = co_await aio::pg::create_pool(
      dsn, {.min_size = 1, .max_size = 2, .max_inactive_connection_lifetime = 60s, .acquire_timeout = 5s});
  auto first = co_await pool.acquire();
  auto second = co_await pool.acquire();
  bool timed_out = false;
  try {
    auto conn = co_await pool.acquire({.timeout = 0.5s});  // this call's own limit
  } catch (const aio::timeout_error&) {
    // both connections stayed out for 0.5 s
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
}

TEST_F(DocPostgres, PoolTimeout) { aio_test::run(pool_timeout_block(dsn()), real_time()); }

// ---- the statement cache
aio::coro<> statement_cache_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn, {.statement_cache_size = 10});
  for (int i = 0; i < 1000; ++i) {
    co_await conn.fetchval<int>("SELECT $1::int", i);  // prepared once, then bound and run 999 times
  }
  auto pool = co_await aio::pg::create_pool(dsn, {.max_size = 4, .statement_cache_size = 10});
  EXPECT_EQ(pool.size(), 4U);  // min_size left out: asyncpg's 10, lowered to max_size
  EXPECT_EQ(co_await conn.fetchval<long>("SELECT count(*) FROM pg_prepared_statements"), 2L);
}

TEST_F(DocPostgres, StatementCache) { aio_test::run(statement_cache_block(dsn()), real_time()); }

// ---- executemany
aio::coro<> executemany_block(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);
  co_await conn.execute("CREATE TEMP TABLE users (id int PRIMARY KEY, name text)");
  std::size_t failed_row = 0;
  std::vector<std::tuple<int, std::string>> rows{{1, "ada"}, {2, "grace"}, {3, "edsger"}};
  co_await conn.executemany("INSERT INTO users VALUES ($1, $2)", rows);  // one round trip

  std::vector<std::tuple<int, std::string>> clash{{4, "alan"}, {1, "again"}};  // id 1 exists
  try {
    co_await conn.executemany("INSERT INTO users VALUES ($1, $2)", clash);
  } catch (const aio::pg::executemany_error& e) {
    failed_row = e.row();  // 1; e.sqlstate() "23505"; what(): "aio::pg: executemany row 1: ..."
    EXPECT_EQ(e.sqlstate(), "23505");
  }  // row 0 (alan) was not inserted either
  EXPECT_EQ(failed_row, 1U);
  EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM users"), 3);
}

TEST_F(DocPostgres, Executemany) { aio_test::run(executemany_block(dsn()), real_time()); }

}  // namespace
