// What a trace timeline says about the work a task waits for (include/aio/debug/trace.hpp): the kind of
// each wait (io, to_thread, join, gather, sleep) and the spans the libraries add: HTTP requests on the
// client and on the server (real loopback sockets), SQLite statements.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "aio_trace_spans_" + name + "_" + std::to_string(::getpid()) + ".json";
}

json read_and_remove(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  json doc = json::parse(in);  // throws on malformed JSON, which fails the test
  std::remove(path.c_str());
  return doc;
}

std::string row_name(const json& doc, std::int64_t tid) {
  for (const json& e : doc.at("traceEvents")) {
    if (e.at("ph") == "M" && e.at("name") == "thread_name" && e.at("tid") == tid)
      return e.at("args").at("name");
  }
  return "";
}

// The events of phase `ph` whose category is `cat`.
std::vector<json> events(const json& doc, const std::string& ph, const std::string& cat) {
  std::vector<json> out;
  for (const json& e : doc.at("traceEvents")) {
    if (e.at("ph") == ph && e.value("cat", "") == cat) out.push_back(e);
  }
  return out;
}

// The names of the waits recorded on the row called `row`.
std::vector<std::string> waits_of(const json& doc, const std::string& row) {
  std::vector<std::string> out;
  for (const json& e : events(doc, "X", "wait")) {
    if (row_name(doc, e.at("tid")) == row) out.push_back(e.at("name"));
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

aio::coro<> child() { co_await aio::sleep(1ms); }

aio::coro<> waits() {
  // join: awaiting a task; gather; to_thread: a job on the default executor.
  auto t = aio::create_task(child(), "child");
  co_await t;
  co_await aio::gather(aio::create_task(child(), "g1"), aio::create_task(child(), "g2"));
  const int got = co_await aio::to_thread([] {
    std::this_thread::sleep_for(20ms);
    return 7;
  });
  EXPECT_EQ(got, 7);
}

TEST(trace_spans, waits_are_named_by_what_the_task_waited_on) {
  const std::string path = temp_path("waits");
  aio_test::run(waits(), {.clock = aio::real_clock, .trace_path = path});
  const json doc = read_and_remove(path);
  const std::vector<std::string> main_waits = waits_of(doc, "main");
  EXPECT_TRUE(contains(main_waits, "join")) << json(main_waits).dump();
  EXPECT_TRUE(contains(main_waits, "gather")) << json(main_waits).dump();
  EXPECT_TRUE(contains(main_waits, "to_thread")) << json(main_waits).dump();
  EXPECT_EQ(waits_of(doc, "child"), std::vector<std::string>{"sleep"});
  for (const json& e : events(doc, "X", "wait")) {
    if (e.at("name") != "to_thread") continue;
    EXPECT_GE(e.at("dur").get<double>(), 19'000) << e.dump();  // the job's 20 ms on the worker
    EXPECT_NE(e.at("args").at("on").get<std::string>().find("executor_call"), std::string::npos) << e.dump();
    EXPECT_NE(e.at("args").at("in").get<std::string>().find("waits"), std::string::npos) << e.dump();
  }
}

aio::http::application make_app() {
  aio::http::application app;
  app.router().add_get("/items/{id}", [](aio::http::request& req) -> aio::coro<aio::http::response> {
    co_await aio::sleep(5ms);
    auto r = aio::http::text_response("item " + std::string(req.match_info("id")));
    r.set_status(201);
    co_return r;
  });
  return app;
}

aio::coro<> http_round_trip(aio::http::application& app) {
  auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  aio::http::client_session session;
  auto resp =
      co_await session.get("http://127.0.0.1:" + std::to_string(srv.port()) + "/items/7?token=secret");
  EXPECT_EQ(resp.status(), 201);
  EXPECT_EQ(co_await resp.text(), "item 7");
  co_await session.close();
  co_await srv.shutdown();
}

TEST(trace_spans, http_client_and_server_requests_are_spans_with_their_status) {
  const std::string path = temp_path("http");
  auto app = make_app();
  aio_test::run(http_round_trip(app), {.clock = aio::real_clock, .trace_path = path});
  const json doc = read_and_remove(path);
  const std::vector<json> begins = events(doc, "b", "http");
  ASSERT_EQ(begins.size(), 2U) << doc.dump(1);
  const json* client = nullptr;
  const json* server = nullptr;
  for (const json& b : begins)
    (b.at("name").get<std::string>().rfind("serve ", 0) == 0 ? server : client) = &b;
  ASSERT_TRUE(client != nullptr && server != nullptr);
  // Status in the name and the arguments; the query (a secret here) in neither.
  EXPECT_EQ(server->at("name"), "serve GET /items/7 201");
  EXPECT_EQ(server->at("args").at("status"), "201");
  const std::string client_name = client->at("name");
  EXPECT_EQ(client_name.rfind("GET http://127.0.0.1:", 0), 0U) << client_name;
  EXPECT_EQ(client_name.substr(client_name.size() - std::string("/items/7 201").size()), "/items/7 201");
  EXPECT_EQ(client->at("args").at("status"), "201");
  EXPECT_EQ(doc.dump().find("secret"), std::string::npos);
  // The client's span is on the task that asked, the server's on the connection's task; each ends
  // after the handler's 5 ms sleep.
  EXPECT_EQ(row_name(doc, client->at("tid")), "main");
  EXPECT_NE(row_name(doc, server->at("tid")), "main");
  for (const json& e : events(doc, "e", "http")) {
    const json& b = e.at("id") == client->at("id") ? *client : *server;
    EXPECT_GE(e.at("ts").get<double>() - b.at("ts").get<double>(), 4'900) << b.dump();
  }
  // The connection's task waited for the request's bytes: an I/O wait.
  bool io = false;
  for (const json& e : events(doc, "X", "wait")) io = io || e.at("name") == "io";
  EXPECT_TRUE(io);
}

aio::coro<> sqlite_queries() {
  auto db = co_await aio::sqlite::connect(":memory:");
  co_await db.execute("CREATE TABLE t(x)");
  co_await db.execute("INSERT INTO t VALUES (?)", 1);
  const auto rows = co_await db.execute_fetchall("SELECT x FROM t");
  EXPECT_EQ(rows.size(), 1U);
  co_await db.close();
}

TEST(trace_spans, sqlite_statements_are_spans) {
  const std::string path = temp_path("sqlite");
  aio_test::run(sqlite_queries(), {.clock = aio::real_clock, .trace_path = path});
  const json doc = read_and_remove(path);
  std::vector<std::string> names;
  for (const json& b : events(doc, "b", "sql")) {
    names.push_back(b.at("name"));
    EXPECT_EQ(row_name(doc, b.at("tid")), "main");
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"CREATE TABLE t(x)", "INSERT INTO t VALUES (?)", "SELECT x FROM t"}));
  EXPECT_EQ(events(doc, "e", "sql").size(), 3U);
}

}  // namespace
