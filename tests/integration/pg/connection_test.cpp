// aio::pg::connection against a private server: queries, parameters, errors, cancellation, a lost
// server, transactions.

#include "aio/pg/connection.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "aio/aio.hpp"
#include "aio/pg/errors.hpp"
#include "pg_server.hpp"

using namespace std::chrono_literals;

namespace {

using pg_connection = pg_test::fixture;

TEST_F(pg_connection, execute_fetch_fetchrow_fetchval) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        EXPECT_EQ(co_await conn.execute("CREATE TEMP TABLE t (id int PRIMARY KEY, name text, score float8)"),
                  "CREATE TABLE");
        EXPECT_EQ(co_await conn.execute("INSERT INTO t VALUES ($1, $2, $3)", 1, "one", 1.5), "INSERT 0 1");
        EXPECT_EQ(co_await conn.execute("INSERT INTO t VALUES ($1, $2, $3)", 2, std::nullopt, 2.25),
                  "INSERT 0 1");
        auto rows = co_await conn.fetch("SELECT id, name, score FROM t ORDER BY id");
        EXPECT_EQ(rows.size(), 2U);
        EXPECT_EQ(rows[0].get<int>("id"), 1);
        EXPECT_EQ(rows[0].get<std::string>(1), "one");
        EXPECT_EQ(rows[0].get<double>("score"), 1.5);
        EXPECT_TRUE(rows[1]["name"].is_null());
        EXPECT_EQ(rows[1].get<std::optional<std::string>>("name"), std::nullopt);
        EXPECT_EQ(rows[1].columns(), (std::vector<std::string>{"id", "name", "score"}));
        auto row = co_await conn.fetchrow("SELECT name FROM t WHERE id = $1", 1);
        EXPECT_TRUE(row.has_value());
        if (row) {
          EXPECT_EQ((*row)[0].text(), "one");
        }
        EXPECT_FALSE((co_await conn.fetchrow("SELECT name FROM t WHERE id = $1", 99)).has_value());
        EXPECT_EQ((co_await conn.fetchval("SELECT count(*) FROM t")).get<long long>(), 2);
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT $1::int + 1", 41), 42);
        EXPECT_TRUE((co_await conn.fetchval("SELECT 1 WHERE false")).is_null());  // asyncpg's None
        EXPECT_EQ(co_await conn.fetchval<bool>("SELECT $1::bool", true), true);
        EXPECT_EQ(co_await conn.fetchval<long long>("SELECT $1::int8", 9'000'000'000LL), 9'000'000'000LL);
        EXPECT_EQ(co_await conn.fetchval<std::string>("SELECT $1::text", std::string("it's \"quoted\"")),
                  "it's \"quoted\"");
        EXPECT_EQ(co_await conn.fetchval<std::optional<int>>("SELECT $1::int", std::optional<int>()),
                  std::nullopt);
        EXPECT_EQ(co_await conn.fetchval<double>("SELECT $1::float8", 0.1), 0.1);  // round trip exact
        // Without arguments execute takes several statements (the simple protocol).
        EXPECT_EQ(co_await conn.execute("UPDATE t SET score = 0; DELETE FROM t WHERE id = 2"), "DELETE 1");
        EXPECT_FALSE(conn.is_closed());
        EXPECT_GT(conn.get_server_pid(), 0);
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, tcp_uri) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT 7"), 7);
      }(tcp_dsn()),
      real_time());
}

TEST_F(pg_connection, syntax_error_and_unique_violation) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        std::string state;
        try {
          co_await conn.execute("SELEC 1");
        } catch (const aio::pg::postgres_error& e) {
          state = e.sqlstate();
          EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
        }
        EXPECT_EQ(state, "42601");
        co_await conn.execute("CREATE TEMP TABLE u (id int PRIMARY KEY)");
        co_await conn.execute("INSERT INTO u VALUES ($1)", 1);
        state.clear();
        std::string detail;
        try {
          co_await conn.execute("INSERT INTO u VALUES ($1)", 1);
        } catch (const aio::pg::postgres_error& e) {
          state = e.sqlstate();
          detail = e.detail();
        }
        EXPECT_EQ(state, "23505");
        EXPECT_EQ(detail, "Key (id)=(1) already exists.");
        // The connection is fine afterwards.
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM u"), 1);
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, connection_refused) {
  aio_test::run(
      []() -> aio::coro<> {
        std::string what;
        try {
          co_await aio::pg::connect("host=127.0.0.1 port=1 user=postgres connect_timeout=5");
        } catch (const aio::pg::connection_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
        EXPECT_NE(what.find("refused"), std::string::npos) << what;
      }(),
      real_time());
}

TEST_F(pg_connection, unknown_database) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        std::string what;
        try {
          co_await aio::pg::connect(dsn + " dbname=no_such_db");
        } catch (const aio::pg::connection_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("database \"no_such_db\" does not exist"), std::string::npos) << what;
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, bad_password) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto admin = co_await aio::pg::connect(dsn);
        co_await admin.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pwuser') THEN "
            "CREATE ROLE pwuser LOGIN PASSWORD 'right'; END IF; END $$");
        auto ok = co_await aio::pg::connect(dsn + " user=pwuser password=right");
        EXPECT_EQ(co_await ok.fetchval<std::string>("SELECT current_user"), "pwuser");
        std::string what;
        try {
          co_await aio::pg::connect(dsn + " user=pwuser password=wrong");
        } catch (const aio::pg::connection_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("password authentication failed"), std::string::npos) << what;
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, closed_connection_and_concurrent_use) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        // A second operation while one runs is refused (one at a time, as asyncpg).
        auto slow = aio::create_task(conn.fetch("SELECT pg_sleep(0.2)"));
        co_await aio::sleep(0.05s);
        std::string what;
        try {
          co_await conn.fetch("SELECT 1");
        } catch (const aio::pg::interface_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("another operation is in progress"), std::string::npos) << what;
        co_await slow;
        conn.close();
        EXPECT_TRUE(conn.is_closed());
        what.clear();
        try {
          co_await conn.fetch("SELECT 1");
        } catch (const aio::pg::interface_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("closed"), std::string::npos) << what;
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, cancel_running_query) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        const auto start = aio::get_running_loop().time();
        auto sleeper = aio::create_task(conn.execute("SELECT pg_sleep(10)"));
        co_await aio::sleep(0.2s);
        sleeper.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(sleeper);
        EXPECT_TRUE(cancelled);
        EXPECT_LT(aio::get_running_loop().time() - start, 3s);
        // Usable again, and the cancelled statement's error was drained.
        EXPECT_FALSE(conn.is_closed());
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT 5"), 5);
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, wait_for_timeout_cancels_query) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        bool timed_out = false;
        try {
          co_await aio::wait_for(conn.fetch("SELECT pg_sleep(10)"), 0.2s);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT 6"), 6);
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, server_terminates_session_mid_query) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto victim = co_await aio::pg::connect(dsn);
        auto killer = co_await aio::pg::connect(dsn);
        const int pid = victim.get_server_pid();
        auto query = aio::create_task(victim.fetch("SELECT pg_sleep(10)"));
        co_await aio::sleep(0.2s);
        co_await killer.fetch("SELECT pg_terminate_backend($1)", pid);
        std::string what;
        try {
          co_await aio::wait_for(query, 5s);
        } catch (const aio::pg::postgres_error& e) {
          what = std::string("postgres_error ") + e.what();  // 57P01 admin_shutdown may arrive first
        } catch (const aio::pg::interface_error& e) {
          what = e.what();
        }
        EXPECT_FALSE(what.empty());
        EXPECT_TRUE(victim.is_closed());
        what.clear();
        try {
          co_await victim.fetch("SELECT 1");
        } catch (const aio::pg::interface_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("lost"), std::string::npos) << what;
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, transaction_commits_and_passes_result) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TEMP TABLE tx (v int)");
        const int n = co_await conn.transaction([&]() -> aio::coro<int> {
          EXPECT_TRUE(conn.is_in_transaction());
          co_await conn.execute("INSERT INTO tx VALUES (1), (2)");
          co_return co_await conn.fetchval<int>("SELECT count(*) FROM tx");
        });
        EXPECT_EQ(n, 2);
        EXPECT_FALSE(conn.is_in_transaction());
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM tx"), 2);
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, transaction_rolls_back_on_exception) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TEMP TABLE tx (v int)");
        bool thrown = false;
        try {
          co_await conn.transaction([&]() -> aio::coro<> {
            co_await conn.execute("INSERT INTO tx VALUES (1)");
            throw std::runtime_error("boom");
          });
        } catch (const std::runtime_error& e) {
          thrown = std::string(e.what()) == "boom";
        }
        EXPECT_TRUE(thrown);
        EXPECT_FALSE(conn.is_in_transaction());
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM tx"), 0);
        // A failed statement inside rolls back too, and the server's error propagates.
        std::string state;
        try {
          co_await conn.transaction([&]() -> aio::coro<> {
            co_await conn.execute("INSERT INTO tx VALUES (1)");
            co_await conn.execute("INSERT INTO tx VALUES ($1)", "not a number");
          });
        } catch (const aio::pg::postgres_error& e) {
          state = e.sqlstate();
        }
        EXPECT_EQ(state, "22P02");
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM tx"), 0);
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, transaction_rolls_back_on_cancellation) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TEMP TABLE tx (v int)");
        auto t = aio::create_task(conn.transaction([&]() -> aio::coro<> {
          co_await conn.execute("INSERT INTO tx VALUES (1)");
          co_await conn.execute("SELECT pg_sleep(10)");  // cancelled here, on the server too
        }));
        co_await aio::sleep(0.2s);
        t.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(t);
        EXPECT_TRUE(cancelled);
        EXPECT_FALSE(conn.is_closed());
        EXPECT_FALSE(conn.is_in_transaction());
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM tx"), 0);
        // Cancelled while waiting on something else than the server: rolled back as well.
        auto t2 = aio::create_task(conn.transaction([&]() -> aio::coro<> {
          co_await conn.execute("INSERT INTO tx VALUES (2)");
          co_await aio::sleep(10s);
        }));
        co_await aio::sleep(0.1s);
        t2.cancel();
        try {
          co_await t2;
        } catch (const aio::cancelled_error&) {
        }
        EXPECT_FALSE(conn.is_in_transaction());
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM tx"), 0);
      }(dsn()),
      real_time());
}

TEST_F(pg_connection, nested_transaction_is_a_savepoint) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        co_await conn.execute("CREATE TEMP TABLE tx (v int)");
        co_await conn.transaction([&]() -> aio::coro<> {
          co_await conn.execute("INSERT INTO tx VALUES (1)");
          try {
            co_await conn.transaction([&]() -> aio::coro<> {
              co_await conn.execute("INSERT INTO tx VALUES (2)");
              throw std::runtime_error("inner");
            });
          } catch (const std::runtime_error&) {
          }
          co_await conn.execute("INSERT INTO tx VALUES (3)");
        });
        auto rows = co_await conn.fetch("SELECT v FROM tx ORDER BY v");
        EXPECT_EQ(rows.size(), 2U);
        if (rows.size() == 2) {
          EXPECT_EQ(rows[0].get<int>(0), 1);
          EXPECT_EQ(rows[1].get<int>(0), 3);
        }
      }(dsn()),
      real_time());
}

}  // namespace
