// aio::sqlite::connection across threads (runs under TSan: the file name has "threads"): cancelling a
// long query interrupts it and leaves the connection usable, a cancelled queued call never runs,
// concurrent tasks on one connection are serialised in order, and destroying an open connection (even
// mid-query) closes it without hanging.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aio/combinators/gather.hpp"
#include "aio/combinators/wait_for.hpp"
#include "aio/sqlite.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace sq = aio::sqlite;

namespace {

// Counts to 1e9 in SQLite's VM: minutes of work unless interrupted.
const char* const long_query =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
    "SELECT count(*) FROM c";

aio::coro<std::int64_t> scalar(sq::connection& db, std::string sql) {
  auto rows = co_await db.execute_fetchall(std::move(sql));
  co_return rows.at(0).get<std::int64_t>(0);
}

aio::coro<std::int64_t> run_long(sq::connection& db) { co_return co_await scalar(db, long_query); }

}  // namespace

TEST(sqlite_threads, cancelling_a_long_query_interrupts_it_and_the_connection_stays_usable) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(co_await aio::wait_for(run_long(db), 50ms), aio::timeout_error);
    // The next statement waits for the interrupted one on the connection's thread: it returns
    // promptly only because the interrupt stopped the count.
    EXPECT_EQ(co_await scalar(db, "SELECT 40 + 2"), 42);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    co_await db.close();
  }());
}

TEST(sqlite_threads, an_interrupted_write_keeps_the_committed_data) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    co_await db.execute("CREATE TABLE t(x)");
    co_await db.execute("INSERT INTO t VALUES (1)");
    co_await db.commit();
    auto t = aio::create_task([](sq::connection& db) -> aio::coro<> {
      co_await db.execute(
          "INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
          "1000000000) "
          "SELECT x FROM c");
    }(db));
    co_await aio::sleep(30ms);
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_EQ(co_await scalar(db, "SELECT count(*) FROM t"), 1);
    co_await db.close();
  }());
}

TEST(sqlite_threads, a_call_cancelled_before_it_starts_never_runs) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:", {.isolation_level = sq::isolation_level::autocommit});
    co_await db.execute("CREATE TABLE t(x)");
    auto slow = aio::create_task(run_long(db));
    auto queued = aio::create_task(
        [](sq::connection& db) -> aio::coro<> { co_await db.execute("INSERT INTO t VALUES (1)"); }(db));
    co_await aio::sleep(10ms);  // both submitted; the insert waits behind the count
    queued.cancel();
    slow.cancel();
    EXPECT_THROW(co_await queued, aio::cancelled_error);
    EXPECT_THROW(co_await slow, aio::cancelled_error);
    EXPECT_EQ(co_await scalar(db, "SELECT count(*) FROM t"), 0);
    co_await db.close();
  }());
}

TEST(sqlite_threads, concurrent_tasks_on_one_connection_run_in_order) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    co_await db.execute("CREATE TABLE t(i INTEGER)");
    auto insert = [](sq::connection& db, int i) -> aio::coro<std::int64_t> {
      auto cur = co_await db.execute("INSERT INTO t VALUES (?)", i);
      co_return cur.lastrowid();
    };
    std::vector<aio::task<std::int64_t>> tasks;
    for (int i = 0; i < 50; ++i) tasks.push_back(aio::create_task(insert(db, i)));
    for (int i = 0; i < 50; ++i) EXPECT_EQ(co_await tasks[static_cast<std::size_t>(i)], i + 1);
    auto rows = co_await db.execute_fetchall("SELECT i FROM t ORDER BY rowid");
    EXPECT_EQ(rows.size(), 50U);
    for (int i = 0; i < 50 && rows.size() == 50; ++i)
      EXPECT_EQ(rows[static_cast<std::size_t>(i)].get<int>(0), i);
    auto [a, b] = co_await aio::gather(scalar(db, "SELECT 1"), scalar(db, "SELECT 2"));
    EXPECT_EQ(a + b, 3);
    co_await db.close();
  }());
}

TEST(sqlite_threads, close_waits_for_earlier_statements_and_refuses_later_ones) {
  aio_test::run([]() -> aio::coro<> {
    auto db = co_await sq::connect(":memory:");
    auto earlier = aio::create_task(scalar(db, "SELECT 7"));
    co_await aio::sleep(0s);  // submitted
    co_await db.close();
    EXPECT_EQ(co_await earlier, 7);
    EXPECT_THROW(co_await db.execute("SELECT 1"), sq::programming_error);
  }());
}

TEST(sqlite_threads, destroying_an_open_connection_mid_query_does_not_hang) {
  aio_test::run([]() -> aio::coro<> {
    const auto start = std::chrono::steady_clock::now();
    auto db = std::make_unique<sq::connection>(co_await sq::connect(":memory:"));
    auto t = aio::create_task(run_long(*db));
    co_await aio::sleep(20ms);
    db.reset();  // interrupts the count, joins the thread
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_THROW(co_await t, sq::error);  // the statement was interrupted (SQLITE_INTERRUPT)
  }());
}

TEST(sqlite_threads, destroying_an_idle_connection_without_close) {
  aio_test::run([]() -> aio::coro<> {
    for (int i = 0; i < 20; ++i) {
      auto db = co_await sq::connect(":memory:");
      co_await db.execute("SELECT 1");
    }
  }());
}
