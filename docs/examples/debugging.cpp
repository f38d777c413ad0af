// docs/guide/debugging.md: the guide's blocks, completed and run, with what the guide says they print
// checked.

#include <gtest/gtest.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

// ---- await graph
aio::coro<> download(aio::event& ready) { co_await ready.wait(); }

aio::coro<> fetch_page(aio::event& ready) { co_await download(ready); }

aio::coro<> crawl(aio::task<> page) { co_await aio::gather(page); }

aio::coro<> show_graph(std::ostream& out) {
  aio::event ready;
  auto page = aio::create_task(fetch_page(ready), "page");
  auto crawler = aio::create_task(crawl(page), "crawler");
  co_await aio::sleep(0s);  // both run up to their first wait
  aio::print_call_graph(page, out);
  ready.set();
  co_await crawler;
}

TEST(debugging_guide, print_call_graph_shows_stack_and_waiters) {
  std::ostringstream out;
  aio_test::run(show_graph(out));
  const std::string text = out.str();
  EXPECT_EQ(text.rfind("* Task(name='page', id=0x", 0), 0U) << text;
  EXPECT_NE(text.find("|   in async (anonymous namespace)::download(aio::event&)\n"
                      "|   in async (anonymous namespace)::fetch_page(aio::event&)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("   * Task(name='crawler', id=0x"), std::string::npos) << text;
  EXPECT_NE(text.find(") via gather\n      + Call stack:\n      |   in async (anonymous namespace)::crawl("),
            std::string::npos)
      << text;
}

// ---- find the blocking call
std::string lookup_user(const std::string& id) {
  std::this_thread::sleep_for(300ms);  // a synchronous call: the whole loop waits
  return "user " + id;
}

aio::coro<std::string> handle_request(std::string id) {
  co_await aio::sleep(0s);
  co_return lookup_user(id);
}

aio::coro<> serve() {
  auto request = aio::create_task(handle_request("42"), "request 42");
  std::cout << co_await request << "\n";
}

int program_main() {
  aio::run(serve(), {.stall_threshold = 100ms});
  return 0;
}

TEST(debugging_guide, the_stall_report_names_the_blocking_call) {
  testing::internal::CaptureStderr();
  program_main();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("aio: the event loop has been stalled for"), std::string::npos) << err;
  EXPECT_NE(err.find("task 'request 42' is running"), std::string::npos) << err;
  // The native stack: the blocking system call, then the function that made it (or, when the optimiser
  // inlined lookup_user, the coroutine it was inlined into).
  const std::string native = err.substr(std::min(err.find("Native stack"), err.size()));
  EXPECT_NE(native.find("nanosleep"), std::string::npos) << err;
  EXPECT_TRUE(native.find("lookup_user(") != std::string::npos ||
              native.find("::handle_request(") != std::string::npos)
      << err;
  EXPECT_NE(err.find("in async (anonymous namespace)::handle_request("), std::string::npos) << err;
  EXPECT_NE(err.find("aio: the event loop stall ended after"), std::string::npos) << err;
  std::cerr << err;  // what the guide shows
}

// ---- trace timelines
aio::coro<std::string> fetch(int page) {
  co_await aio::sleep(100ms);  // stands for the network round trip
  co_return "<page " + std::to_string(page) + ">";
}

aio::coro<> fetch_all() {
  for (int page = 1; page <= 3; ++page) co_await fetch(page);  // one after the other: 300 ms
  co_await aio::gather(fetch(1), fetch(2), fetch(3));          // at once: 100 ms
}

void traced_main(const std::string& path) {
  aio::run(fetch_all(), {.trace_path = path});  // or AIO_TRACE=fetches.json in the environment
}

TEST(debugging_guide, a_trace_shows_the_sequential_then_the_concurrent_fetches) {
  const std::string path = testing::TempDir() + "aio_doc_fetches_" + std::to_string(::getpid()) + ".json";
  traced_main(path);
  std::ifstream in(path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::remove(path.c_str());
  // Rows: main, and one per fetch gather made a task of; main sleeps three times, each gathered fetch once,
  // at the same time.
  std::map<std::int64_t, std::string> rows;
  std::map<std::int64_t, std::vector<std::pair<double, double>>> sleeps;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("ph") == "M" && e.at("name") == "thread_name") rows[e.at("tid")] = e.at("args").at("name");
    if (e.at("ph") == "X" && e.at("name") == "sleep") {
      sleeps[e.at("tid")].emplace_back(e.at("ts").get<double>(),
                                       e.at("ts").get<double>() + e.at("dur").get<double>());
    }
  }
  ASSERT_EQ(rows.size(), 5U);  // the loop's row 0, main, three fetches
  std::int64_t main_row = -1;
  for (const auto& [tid, name] : rows)
    if (name == "main") main_row = tid;
  ASSERT_EQ(sleeps[main_row].size(), 3U);
  double gathered_start = 0;
  double gathered_end = 1e18;
  int gathered = 0;
  for (const auto& [tid, name] : rows) {
    if (tid == 0 || tid == main_row) continue;
    EXPECT_NE(name.find("fetch(int)"), std::string::npos) << name;  // unnamed tasks: their coroutine
    ASSERT_EQ(sleeps[tid].size(), 1U) << name;
    gathered_start = std::max(gathered_start, sleeps[tid][0].first);
    gathered_end = std::min(gathered_end, sleeps[tid][0].second);
    ++gathered;
  }
  EXPECT_EQ(gathered, 3);
  EXPECT_LT(gathered_start, gathered_end);                // the three sleeps overlap
  EXPECT_GE(gathered_start, sleeps[main_row][2].second);  // after the sequential ones
}

aio::coro<std::size_t> build_report(const std::vector<std::string>& lines) {
  aio::trace::span traced("report", std::string());  // when off: records nothing, builds no name
  if (traced.recording()) traced.rename("report of " + std::to_string(lines.size()) + " lines");
  std::size_t bytes = 0;
  for (const auto& line : lines) {
    bytes += line.size();
    co_await aio::sleep(1ms);  // a slow source, line by line
  }
  traced.arg("bytes", std::to_string(bytes));
  co_return bytes;
}

TEST(debugging_guide, a_span_of_your_own) {
  const std::string path = testing::TempDir() + "aio_doc_span_" + std::to_string(::getpid()) + ".json";
  EXPECT_EQ(aio_test::run(build_report({"a", "bc"}), {.trace_path = path}), 3U);
  std::ifstream in(path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::remove(path.c_str());
  std::vector<nlohmann::json> begins;
  std::vector<nlohmann::json> ends;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("ph") == "b") begins.push_back(e);
    if (e.at("ph") == "e") ends.push_back(e);
  }
  ASSERT_EQ(begins.size(), 1U);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(begins[0].at("name"), "report of 2 lines");
  EXPECT_EQ(begins[0].at("cat"), "report");
  EXPECT_EQ(begins[0].at("args").at("bytes"), "3");
  EXPECT_NEAR(ends[0].at("ts").get<double>() - begins[0].at("ts").get<double>(), 2000, 1e-3);  // virtual time
  // Untraced, the same coroutine records nothing.
  EXPECT_EQ(aio_test::run(build_report({"x"})), 1U);
}

}  // namespace
