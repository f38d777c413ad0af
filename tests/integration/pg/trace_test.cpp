// aio::pg queries on the trace timeline (include/aio/debug/trace.hpp): one "sql" span per statement,
// on the row of the task that awaited it, with the command tag and the row count; a prepared statement
// by its name; a failed one marked.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/pg/errors.hpp"
#include "pg_server.hpp"

namespace {

using nlohmann::json;
using pg_trace = pg_test::fixture;

aio::coro<> queries(std::string dsn) {
  auto conn = co_await aio::pg::connect(dsn);
  EXPECT_EQ(co_await conn.fetchval<int>("SELECT $1::int + 1", 41), 42);
  auto stmt = co_await conn.prepare("SELECT generate_series(1, $1::int)");
  EXPECT_EQ((co_await stmt.fetch(3)).size(), 3U);
  bool failed = false;
  try {
    co_await conn.execute("SELEC 1");
  } catch (const aio::pg::postgres_error&) {
    failed = true;
  }
  EXPECT_TRUE(failed);
  conn.close();
}

TEST_F(pg_trace, queries_are_sql_spans_with_status_and_rows) {
  const std::string path = testing::TempDir() + "aio_pg_trace_" + std::to_string(::getpid()) + ".json";
  aio_test::options opts = real_time();
  opts.trace_path = path;
  aio_test::run(queries(dsn()), opts);
  std::ifstream in(path);
  const json doc = json::parse(in);
  std::remove(path.c_str());

  std::vector<json> spans;
  std::int64_t main_row = -1;
  for (const json& e : doc.at("traceEvents")) {
    if (e.at("ph") == "b" && e.at("cat") == "sql") spans.push_back(e);
    if (e.at("ph") == "M" && e.at("name") == "thread_name" && e.at("args").at("name") == "main")
      main_row = e.at("tid");
  }
  const json* select = nullptr;
  const json* prepared = nullptr;
  const json* bad = nullptr;
  for (const json& s : spans) {
    EXPECT_EQ(s.at("tid"), main_row) << s.dump();
    const std::string name = s.at("name");
    if (name == "SELECT $1::int + 1") select = &s;
    if (name.rfind("EXECUTE ", 0) == 0) prepared = &s;
    if (name == "SELEC 1") bad = &s;
  }
  ASSERT_TRUE(select != nullptr && prepared != nullptr && bad != nullptr) << json(spans).dump(1);
  EXPECT_EQ(select->at("args").at("status"), "SELECT 1");
  EXPECT_EQ(select->at("args").at("rows"), "1");
  EXPECT_EQ(prepared->at("args").at("rows"), "3");
  EXPECT_EQ(bad->at("args").at("status"), "error");
}

}  // namespace
