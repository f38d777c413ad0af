// docs/guide/sqlite.md: the guide's blocks, completed and run on a real database file in a temporary
// directory (aio_test::run checks that nothing leaked).

#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp

#include <aio/aio.hpp>
#include <aio/sqlite.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "test_support.hpp"

namespace {

std::string temp_db() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "aio-doc-sqlite-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return tmpl + "/app.db";
}

// ---- connect, write, read
aio::coro<std::int64_t> basics_main(std::string path, std::ostream& out) {
  // The guide prints to std::cout: capture it.
  std::streambuf* old = std::cout.rdbuf(out.rdbuf());
  auto db = co_await aio::sqlite::connect(path);  // ":memory:" for a private in-memory database
  co_await db.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT UNIQUE, karma REAL)");
  auto cur = co_await db.execute("INSERT INTO users(name, karma) VALUES (?, ?)", "ada", 4.5);
  std::int64_t id = cur.lastrowid();
  co_await db.commit();

  for (const aio::sqlite::row& r : co_await db.execute_fetchall("SELECT id, name, karma FROM users")) {
    std::cout << r.get<std::int64_t>("id") << ' ' << r.get<std::string>("name") << '\n';
  }
  co_await db.close();
  std::cout.rdbuf(old);
  co_return id;
}

TEST(DocSqlite, ConnectWriteRead) {
  const std::string path = temp_db();
  std::ostringstream out;
  EXPECT_EQ(aio_test::run(basics_main(path, out)), 1);
  EXPECT_EQ(out.str(), "1 ada\n");
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

// ---- one-off queries: fetchone and fetchall on the connection
aio::coro<> one_off_main(std::ostream& out) {
  std::streambuf* old = std::cout.rdbuf(out.rdbuf());
  auto db = co_await aio::sqlite::connect(":memory:");
  co_await db.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT UNIQUE, karma REAL)");
  std::vector<std::tuple<std::string, double>> rows{{"bob", 1.0}, {"ada", 4.5}};
  co_await db.executemany("INSERT INTO users(name, karma) VALUES (?, ?)", rows);
  std::optional<aio::sqlite::row> ada = co_await db.fetchone("SELECT karma FROM users WHERE name = ?", "ada");
  if (ada) std::cout << "ada has " << ada->get<double>("karma") << '\n';
  for (const aio::sqlite::row& r : co_await db.fetchall("SELECT name FROM users ORDER BY name")) {
    std::cout << r.get<std::string>(0) << '\n';
  }
  std::optional<aio::sqlite::row> nobody =
      co_await db.fetchone("SELECT karma FROM users WHERE name = ?", "zed");
  std::cout << (nobody ? "zed found" : "no zed") << '\n';
  co_await db.close();
  std::cout.rdbuf(old);
}

TEST(DocSqlite, FetchoneAndFetchallOnTheConnection) {
  std::ostringstream out;
  aio_test::run(one_off_main(out));
  EXPECT_EQ(out.str(), "ada has 4.5\nada\nbob\nno zed\n");
}

// ---- transactions: executemany's partial failure
aio::coro<std::int64_t> transactions_main() {
  auto db = co_await aio::sqlite::connect(":memory:");
  co_await db.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT UNIQUE, karma REAL)");
  co_await db.execute("INSERT INTO users(name, karma) VALUES ('cy', 0)");
  co_await db.commit();
  int failed = 0;
  std::vector<std::tuple<std::string, double>> rows{{"bob", 1.0}, {"ada", 2.0}, {"cy", 3.0}};
  try {
    co_await db.executemany("INSERT INTO users(name, karma) VALUES (?, ?)", rows);
    co_await db.commit();
  } catch (const aio::sqlite::integrity_error& e) {  // "UNIQUE constraint failed: users.name"
    failed = e.extended_code();                      // SQLITE_CONSTRAINT_UNIQUE (2067)
  }
  if (failed != 0) co_await db.rollback();  // drop "bob" too; commit() would keep it
  EXPECT_EQ(failed, 2067);
  auto count = co_await db.execute_fetchall("SELECT count(*) FROM users");
  co_await db.close();
  co_return count.at(0).get<std::int64_t>(0);
}

TEST(DocSqlite, ExecutemanyPartialFailureRollsBack) { EXPECT_EQ(aio_test::run(transactions_main()), 1); }

// ---- cancellation and timeouts
aio::coro<bool> timeout_main() {
  auto db = co_await aio::sqlite::connect(":memory:");
  const std::string slow_report =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
      "SELECT count(*) FROM c";
  bool timed_out = false;
  try {
    co_await aio::wait_for(db.execute_fetchall(slow_report), std::chrono::milliseconds(100));
  } catch (const aio::timeout_error&) {
    // the query was interrupted; db still works
    timed_out = true;
  }
  auto still = co_await db.execute_fetchall("SELECT 1");
  co_await db.close();
  co_return timed_out&& still.at(0).get<int>(0) == 1;
}

TEST(DocSqlite, TimeoutInterruptsTheQuery) { EXPECT_TRUE(aio_test::run(timeout_main())); }

}  // namespace
