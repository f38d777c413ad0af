// aio::sqlite::connection: statements, parameters of every kind, rows, Python sqlite3's implicit
// transactions, executemany, the connection's fetchall/fetchone, and every failure path (syntax, constraint,
// parameter count, several statements, closed connection, unopenable file). Real database files in a
// temporary directory.
#include "aio/sqlite/connection.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "aio/combinators/wait_for.hpp"
#include "aio/sqlite.hpp"
#include "test_support.hpp"

namespace sq = aio::sqlite;

namespace {

class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aio-sqlite-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() { std::filesystem::remove_all(m_path); }
  [[nodiscard]] std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

aio::coro<sq::connection> memory_with_table() {
  auto db = co_await sq::connect(":memory:");
  co_await db.execute(
      "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, data BLOB)");
  co_return db;
}

aio::coro<std::int64_t> count_rows(sq::connection& db, std::string table) {
  auto rows = co_await db.execute_fetchall("SELECT count(*) FROM " + table);
  co_return rows.at(0).get<std::int64_t>(0);
}

}  // namespace

TEST(sqlite_connection, execute_binds_parameters_and_fetches_rows) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await memory_with_table();
    const sq::blob bytes{std::byte{0}, std::byte{255}};
    auto cur = co_await db.execute("INSERT INTO t(name, score, data) VALUES (?, ?, ?)", "ada", 1.5, bytes);
    EXPECT_EQ(cur.rowcount(), 1);
    EXPECT_EQ(cur.lastrowid(), 1);
    std::optional<double> no_score;
    co_await db.execute("INSERT INTO t(name, score, data) VALUES (?, ?, ?)", std::string("bob"), no_score,
                        nullptr);
    co_await db.execute("INSERT INTO t(name, score, data) VALUES (?, ?, ?)", std::string_view("cy"), 3,
                        sq::blob{});

    auto sel = co_await db.execute("SELECT id, name, score, data FROM t WHERE id >= ? ORDER BY id", 1);
    EXPECT_EQ(sel.rowcount(), -1);
    EXPECT_EQ(sel.columns(), (std::vector<std::string>{"id", "name", "score", "data"}));
    std::optional<sq::row> first = co_await sel.fetchone();
    EXPECT_TRUE(first.has_value());
    EXPECT_EQ(first->get<int>("id"), 1);
    EXPECT_EQ(first->get<std::string>("name"), "ada");
    EXPECT_EQ(first->get<double>(2), 1.5);
    EXPECT_EQ(first->get<sq::blob>("data"), bytes);
    std::vector<sq::row> rest = co_await sel.fetchall();
    EXPECT_EQ(rest.size(), 2U);
    EXPECT_EQ(rest[0].get<std::optional<double>>("score"), std::nullopt);
    EXPECT_TRUE(rest[0]["data"].is_null());
    EXPECT_EQ(rest[1]["score"].type(), sq::value_type::real);  // REAL affinity stores 3 as 3.0
    EXPECT_EQ(rest[1].get<sq::blob>("data"), sq::blob{});      // an empty blob is not NULL
    EXPECT_FALSE((co_await sel.fetchone()).has_value());
    EXPECT_TRUE((co_await sel.fetchall()).empty());

    auto many = co_await db.execute("SELECT id FROM t ORDER BY id");
    EXPECT_EQ((co_await many.fetchmany(2)).size(), 2U);
    EXPECT_EQ((co_await many.fetchmany(2)).size(), 1U);
    co_await db.close();
  }());
}

TEST(sqlite_connection, syntax_errors_carry_codes_message_and_sql) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    bool thrown = false;
    try {
      co_await db.execute("SELEKT 1");
    } catch (const sq::error& e) {
      thrown = true;
      EXPECT_EQ(e.code(), 1);  // SQLITE_ERROR
      EXPECT_EQ(e.sql(), "SELEKT 1");
      EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("SELEKT 1"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(thrown);
    EXPECT_THROW(co_await db.execute("SELECT * FROM missing"), sq::error);
    // The connection is still usable.
    EXPECT_EQ((co_await db.execute_fetchall("SELECT 1 + 1")).at(0).get<int>(0), 2);
    co_await db.close();
  }());
}

TEST(sqlite_connection, constraint_violations_are_integrity_errors) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await memory_with_table();
    co_await db.execute("INSERT INTO t(name) VALUES (?)", "ada");
    int extended = 0;
    try {
      co_await db.execute("INSERT INTO t(name) VALUES (?)", "ada");
    } catch (const sq::integrity_error& e) {
      extended = e.extended_code();
      EXPECT_EQ(e.code(), 19);  // SQLITE_CONSTRAINT
      EXPECT_NE(std::string(e.what()).find("UNIQUE"), std::string::npos) << e.what();
    }
    EXPECT_EQ(extended, 2067);  // SQLITE_CONSTRAINT_UNIQUE
    EXPECT_THROW(co_await db.execute("INSERT INTO t(name) VALUES (NULL)"), sq::integrity_error);
    EXPECT_EQ(co_await count_rows(db, "t"), 1);
    co_await db.close();
  }());
}

TEST(sqlite_connection, misuse_is_reported_before_running) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await memory_with_table();
    try {
      co_await db.execute("INSERT INTO t(name, score) VALUES (?, ?)", "only one");
      ADD_FAILURE() << "no error";
    } catch (const sq::programming_error& e) {
      EXPECT_NE(std::string(e.what()).find("2 parameter(s) but 1"), std::string::npos) << e.what();
    }
    EXPECT_THROW(co_await db.execute("SELECT 1", 1), sq::programming_error);
    EXPECT_THROW(co_await db.execute("INSERT INTO t(name) VALUES ('a'); INSERT INTO t(name) VALUES ('b')"),
                 sq::programming_error);
    EXPECT_FALSE(db.in_transaction());  // nothing ran, not even the implicit BEGIN
    EXPECT_EQ(co_await count_rows(db, "t"), 0);
    // A trailing ';' and comments are one statement.
    co_await db.execute("INSERT INTO t(name) VALUES ('c'); -- done");
    auto empty = co_await db.execute("  -- nothing  ");
    EXPECT_TRUE((co_await empty.fetchall()).empty());
    co_await db.close();
  }());
}

TEST(sqlite_connection, a_closed_connection_throws_and_close_is_idempotent) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    EXPECT_FALSE(db.is_closed());
    co_await db.close();
    co_await db.close();
    EXPECT_TRUE(db.is_closed());
    try {
      co_await db.execute("SELECT 1");
      ADD_FAILURE() << "no error";
    } catch (const sq::programming_error& e) {
      EXPECT_NE(std::string(e.what()).find("closed"), std::string::npos) << e.what();
    }
    EXPECT_THROW(co_await db.commit(), sq::programming_error);
    sq::connection none;
    EXPECT_THROW(co_await none.execute("SELECT 1"), sq::programming_error);
  }());
}

TEST(sqlite_connection, an_unopenable_path_fails) {
  aio_test::run([]() -> aio::coro<> {
    try {
      co_await sq::connect("/nonexistent-dir/x/y.db");
      ADD_FAILURE() << "no error";
    } catch (const sq::error& e) {
      EXPECT_EQ(e.code(), 14);  // SQLITE_CANTOPEN
      EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x/y.db"), std::string::npos) << e.what();
    }
  }());
}

TEST(sqlite_connection, dml_opens_a_transaction_that_commit_ends_and_close_rolls_back) {
  temp_dir dir;
  const std::string path = dir.file("tx.db");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto db = co_await sq::connect(path);
    co_await db.execute("CREATE TABLE t(x)");
    EXPECT_FALSE(db.in_transaction());
    co_await db.execute("INSERT INTO t VALUES (1)");
    EXPECT_TRUE(db.in_transaction());
    co_await db.commit();
    EXPECT_FALSE(db.in_transaction());
    co_await db.execute("INSERT INTO t VALUES (2)");
    co_await db.rollback();
    co_await db.execute("INSERT INTO t VALUES (3)");
    co_await db.close();  // without commit: 3 is rolled back

    auto again = co_await sq::connect(path);
    auto rows = co_await again.execute_fetchall("SELECT x FROM t ORDER BY x");
    EXPECT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows.at(0).get<int>(0), 1);
    co_await again.close();
  }(path));
}

TEST(sqlite_connection, autocommit_mode_commits_every_statement) {
  temp_dir dir;
  const std::string path = dir.file("auto.db");
  aio_test::run([](std::string path) -> aio::coro<> {
    auto db = co_await sq::connect(path, {.isolation_level = sq::isolation_level::autocommit});
    co_await db.execute("CREATE TABLE t(x)");
    co_await db.execute("INSERT INTO t VALUES (1)");
    EXPECT_FALSE(db.in_transaction());
    co_await db.close();
    auto again = co_await sq::connect(path);
    EXPECT_EQ(co_await count_rows(again, "t"), 1);
    co_await again.close();
  }(path));
}

TEST(sqlite_connection, executemany_runs_every_row_and_a_failure_keeps_the_earlier_ones_pending) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await memory_with_table();
    std::vector<std::tuple<std::string, double>> rows{{"a", 1.0}, {"b", 2.0}, {"c", 3.0}};
    auto cur = co_await db.executemany("INSERT INTO t(name, score) VALUES (?, ?)", rows);
    EXPECT_EQ(cur.rowcount(), 3);
    co_await db.commit();

    // The third row repeats "d": the first two ran, in the open transaction.
    std::vector<sq::params> bad{{"d"}, {"e"}, {"d"}, {"f"}};
    EXPECT_THROW(co_await db.executemany("INSERT INTO t(name) VALUES (?)", bad), sq::integrity_error);
    EXPECT_TRUE(db.in_transaction());
    EXPECT_EQ(co_await count_rows(db, "t"), 5);
    co_await db.rollback();
    EXPECT_EQ(co_await count_rows(db, "t"), 3);

    std::vector<std::vector<int>> wrong{{1, 2}};
    EXPECT_THROW(co_await db.executemany("INSERT INTO t(name) VALUES (?)", wrong), sq::programming_error);
    co_await db.close();
  }());
}

TEST(sqlite_connection, executescript_commits_first_then_runs_all_statements) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    co_await db.executescript("CREATE TABLE a(x); CREATE TABLE b(y); INSERT INTO a VALUES (1);");
    co_await db.execute("INSERT INTO b VALUES (2)");
    EXPECT_TRUE(db.in_transaction());
    co_await db.executescript("INSERT INTO a VALUES (3)");
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(co_await count_rows(db, "a"), 2);
    EXPECT_THROW(co_await db.executescript("CREATE TABLE c(z); nonsense"), sq::error);
    co_await db.close();
  }());
}

TEST(sqlite_connection, moving_a_connection_keeps_it_open) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    sq::connection other = std::move(db);
    EXPECT_TRUE(db.is_closed());  // NOLINT(bugprone-use-after-move): a moved-from connection is closed
    EXPECT_EQ((co_await other.execute_fetchall("SELECT 'x'")).at(0).get<std::string>(0), "x");
    co_await other.close();
  }());
}

TEST(sqlite_connection, fetchall_and_fetchone_run_a_query_without_a_cursor) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await memory_with_table();
    std::vector<std::tuple<std::string, double>> rows{{"ada", 4.5}, {"bob", 1.0}, {"cy", 3.0}};
    co_await db.executemany("INSERT INTO t(name, score) VALUES (?, ?)", rows);

    std::vector<sq::row> all = co_await db.fetchall("SELECT name FROM t WHERE score > ? ORDER BY name", 2);
    EXPECT_EQ(all.size(), 2U);
    EXPECT_EQ(all.at(0).get<std::string>("name"), "ada");
    EXPECT_EQ(all.at(1).get<std::string>("name"), "cy");
    EXPECT_TRUE((co_await db.fetchall("SELECT name FROM t WHERE score > 100")).empty());
    const sq::params none;
    EXPECT_EQ((co_await db.fetchall("SELECT count(*) FROM t", none)).at(0).get<int>(0), 3);

    std::optional<sq::row> top = co_await db.fetchone("SELECT name, score FROM t ORDER BY score DESC");
    EXPECT_TRUE(top.has_value());
    EXPECT_EQ(top->keys(), (std::vector<std::string>{"name", "score"}));
    EXPECT_EQ(top->get<std::string>("name"), "ada");
    EXPECT_EQ(top->get<double>("score"), 4.5);
    const std::string who = "bob";
    std::optional<sq::row> bob = co_await db.fetchone("SELECT score FROM t WHERE name = ?", who);
    EXPECT_EQ(bob.value().get<double>(0), 1.0);
    std::optional<sq::row> nobody = co_await db.fetchone("SELECT score FROM t WHERE name = ?", "zed");
    EXPECT_FALSE(nobody.has_value());
    // A named `params`, not braced inside co_await (g++ 12: docs/design/compilers.md, Bug 2).
    const sq::params two_and_three{2, 3};
    std::optional<sq::row> by_params = co_await db.fetchone("SELECT ? + ?", two_and_three);
    EXPECT_EQ(by_params.value().get<int>(0), 5);

    // The statement runs to its end: every row is updated, the first one RETURNING gives comes back.
    std::optional<sq::row> first = co_await db.fetchone("UPDATE t SET score = score + 10 RETURNING score");
    EXPECT_TRUE(first.has_value());
    EXPECT_EQ((co_await db.fetchone("SELECT min(score) FROM t")).value().get<double>(0), 11.0);
    co_await db.close();
  }());
}

TEST(sqlite_connection, fetchall_and_fetchone_report_errors_and_keep_the_connection_usable) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await memory_with_table();
    EXPECT_THROW(co_await db.fetchall("SELEKT 1"), sq::error);
    bool thrown = false;
    try {
      co_await db.fetchone("SELECT * FROM missing");
    } catch (const sq::error& e) {
      thrown = true;
      EXPECT_EQ(e.sql(), "SELECT * FROM missing");
      EXPECT_NE(std::string(e.what()).find("no such table"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(thrown);
    // Wrong parameter counts and two statements are caught before anything runs.
    EXPECT_THROW(co_await db.fetchall("SELECT ?, ?", 1), sq::programming_error);
    EXPECT_THROW(co_await db.fetchone("SELECT 1", 1), sq::programming_error);
    EXPECT_THROW(co_await db.fetchone("SELECT 1; SELECT 2"), sq::programming_error);
    co_await db.execute("INSERT INTO t(name) VALUES ('ada')");
    EXPECT_THROW(co_await db.fetchone("INSERT INTO t(name) VALUES ('ada') RETURNING id"),
                 sq::integrity_error);
    EXPECT_EQ((co_await db.fetchone("SELECT count(*) FROM t")).value().get<int>(0), 1);
    co_await db.close();
    EXPECT_THROW(co_await db.fetchall("SELECT 1"), sq::programming_error);
    EXPECT_THROW(co_await db.fetchone("SELECT 1"), sq::programming_error);
  }());
}

TEST(sqlite_connection, a_timeout_interrupts_fetchone) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    const std::string slow =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
        "SELECT count(*) FROM c";
    EXPECT_THROW(co_await aio::wait_for(db.fetchone(slow), std::chrono::milliseconds(50)),
                 aio::timeout_error);
    EXPECT_EQ((co_await db.fetchone("SELECT 7")).value().get<int>(0), 7);
    co_await db.close();
  }());
}
