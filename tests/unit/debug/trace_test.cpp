// Trace timelines (include/aio/debug/trace.hpp): the JSON a traced run writes (rows, run slices, waits,
// ends), a file that cannot be written, the event cap, trace::span, and `aio trace-svg` on the result.

#include "aio/debug/trace.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "aio_trace_" + name + "_" + std::to_string(::getpid()) + ".json";
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in);  // throws on malformed JSON, which fails the test
}

struct row {
  std::string name;
  double created = NAN;
  double ended = NAN;
  std::string end;  // done, failed, cancelled
  std::vector<json> waits;
};

std::map<std::int64_t, row> rows_of(const json& doc) {
  std::map<std::int64_t, row> rows;
  for (const json& e : doc.at("traceEvents")) {
    const std::int64_t tid = e.value("tid", std::int64_t{0});
    if (tid == 0) continue;
    const std::string ph = e.at("ph");
    const std::string name = e.at("name");
    if (ph == "M" && name == "thread_name") rows[tid].name = e.at("args").at("name");
    if (ph == "i" && name == "created") rows[tid].created = e.at("ts");
    if (ph == "i" && (name == "done" || name == "failed" || name == "cancelled")) {
      rows[tid].ended = e.at("ts");
      rows[tid].end = name;
    }
    if (ph == "X" && e.value("cat", "") == "wait") rows[tid].waits.push_back(e);
  }
  return rows;
}

const row& named(const std::map<std::int64_t, row>& rows, const std::string& name) {
  for (const auto& [tid, r] : rows)
    if (r.name == name) return r;
  static const row none;
  ADD_FAILURE() << "no row named " << name;
  return none;
}

aio::coro<> fetch(std::chrono::milliseconds d) { co_await aio::sleep(d); }

aio::coro<> sequential() {
  for (int i = 0; i < 3; ++i) {
    auto t = aio::create_task(fetch(20ms), "seq-" + std::to_string(i));
    co_await t;
  }
}

aio::coro<> concurrent() {
  auto a = aio::create_task(fetch(20ms), "con-0");
  auto b = aio::create_task(fetch(20ms), "con-1");
  auto c = aio::create_task(fetch(20ms), "con-2");
  co_await aio::gather(a, b, c);
}

aio::coro<> both() {
  co_await sequential();
  co_await concurrent();
}

TEST(trace, rows_slices_and_overlap) {
  const std::string path = temp_path("fetches");
  aio_test::run(both(), {.clock = aio::real_clock, .trace_path = path});
  const json doc = read_json(path);
  ASSERT_TRUE(doc.at("traceEvents").is_array());
  const auto rows = rows_of(doc);

  // One row per task, each named, each ended.
  std::multiset<std::string> names;
  for (const auto& [tid, r] : rows) names.insert(r.name);
  EXPECT_EQ(names,
            (std::multiset<std::string>{"main", "seq-0", "seq-1", "seq-2", "con-0", "con-1", "con-2"}));
  for (const auto& [tid, r] : rows) EXPECT_EQ(r.end, "done") << r.name;

  // Run slices never overlap: the loop runs one task at a time.
  std::vector<std::pair<double, double>> runs;
  for (const json& e : doc.at("traceEvents")) {
    if (e.at("ph") == "X" && e.at("name") == "run") {
      runs.emplace_back(e.at("ts").get<double>(), e.at("ts").get<double>() + e.at("dur").get<double>());
    }
  }
  std::sort(runs.begin(), runs.end());
  ASSERT_GE(runs.size(), 7U * 2);  // every fetch runs twice: up to its sleep, then to its end
  for (std::size_t i = 1; i < runs.size(); ++i) EXPECT_GE(runs[i].first, runs[i - 1].second - 1e-3) << i;

  // Sequential: each fetch starts after the previous one ended. Concurrent: all three overlap.
  for (int i = 0; i < 2; ++i) {
    EXPECT_LE(named(rows, "seq-" + std::to_string(i)).ended,
              named(rows, "seq-" + std::to_string(i + 1)).created);
  }
  double latest_start = 0;
  double earliest_end = INFINITY;
  for (int i = 0; i < 3; ++i) {
    const row& r = named(rows, "con-" + std::to_string(i));
    latest_start = std::max(latest_start, r.created);
    earliest_end = std::min(earliest_end, r.ended);
  }
  EXPECT_LT(latest_start, earliest_end);

  // Each fetch sleeps 20 ms, in its coroutine, named by the symboliser.
  const row& seq0 = named(rows, "seq-0");
  ASSERT_EQ(seq0.waits.size(), 1U);
  EXPECT_EQ(seq0.waits[0].at("name"), "sleep");
  EXPECT_GE(seq0.waits[0].at("dur").get<double>(), 19'000);
  EXPECT_NE(seq0.waits[0].at("args").at("in").get<std::string>().find("fetch"), std::string::npos)
      << seq0.waits[0].dump();
  std::remove(path.c_str());
}

aio::coro<int> answer() {
  co_await aio::sleep(1s);
  co_return 42;
}

TEST(trace, unwritable_file_is_reported_once_and_the_program_goes_on) {
  const int got =
      aio_test::run(answer(), {.expected_reports = 1, .trace_path = "/nonexistent-aio-dir/t.json"});
  EXPECT_EQ(got, 42);
  ASSERT_EQ(aio_test::reports().size(), 1U);
  EXPECT_NE(aio_test::reports()[0].message.find("cannot write the trace file '/nonexistent-aio-dir/t.json'"),
            std::string::npos)
      << aio_test::reports()[0].message;
}

aio::coro<> yields(int n) {
  for (int i = 0; i < n; ++i) co_await aio::sleep(0s);
}

TEST(trace, stops_at_the_event_cap_with_one_event_and_one_report) {
  const std::string path = temp_path("cap");
  std::vector<std::string> reports;
  {
    aio::event_loop loop({.clock = aio::virtual_clock});
    loop.set_exception_handler(
        [&reports](aio::event_loop&, const aio::exception_context& c) { reports.push_back(c.message); });
    {
      aio::trace_recorder recorder(loop, path, {.max_events = 50, .buffer_events = 8});
      EXPECT_TRUE(recorder.ok());
      auto t = loop.create_task(yields(200), "yielder");
      loop.run_until([&t] { return t.done(); });
      EXPECT_EQ(recorder.events(), 50U);
    }
    loop.close();
  }
  ASSERT_EQ(reports.size(), 1U);
  EXPECT_NE(reports[0].find("the trace reached 50 events"), std::string::npos) << reports[0];
  const json doc = read_json(path);
  std::size_t recorded = 0;
  std::size_t truncated = 0;
  for (const json& e : doc.at("traceEvents")) {
    if (e.at("ph") != "M") ++recorded;
    if (e.at("name") == "trace truncated") ++truncated;
  }
  EXPECT_EQ(recorded, 50U);
  EXPECT_EQ(truncated, 1U);
  std::remove(path.c_str());
}

aio::coro<> query() {
  aio::trace::span s("sql", "SELECT \"x\"\n");
  EXPECT_TRUE(s.recording());
  EXPECT_TRUE(aio::trace::enabled());
  co_await aio::sleep(5ms);
  s.arg("rows", "1");
}

TEST(trace, span_is_an_async_slice_on_its_task_row) {
  const std::string path = temp_path("span");
  aio_test::run(query(), {.trace_path = path});
  const json doc = read_json(path);
  std::vector<json> begins;
  std::vector<json> ends;
  for (const json& e : doc.at("traceEvents")) {
    if (e.at("ph") == "b") begins.push_back(e);
    if (e.at("ph") == "e") ends.push_back(e);
  }
  ASSERT_EQ(begins.size(), 1U);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(begins[0].at("name"), "SELECT \"x\"\n");
  EXPECT_EQ(begins[0].at("cat"), "sql");
  EXPECT_EQ(begins[0].at("args").at("rows"), "1");
  EXPECT_EQ(begins[0].at("id"), ends[0].at("id"));
  EXPECT_NEAR(ends[0].at("ts").get<double>() - begins[0].at("ts").get<double>(), 5000, 1e-3);  // virtual time
  const auto rows = rows_of(doc);
  EXPECT_EQ(rows.at(begins[0].at("tid").get<std::int64_t>()).name, "main");
  std::remove(path.c_str());
}

TEST(trace, span_without_a_trace_records_nothing) {
  aio_test::run([]() -> aio::coro<> {
    aio::trace::span s("http", "GET /");
    EXPECT_FALSE(s.recording());
    EXPECT_FALSE(aio::trace::enabled());
    co_return;
  }());
}

#ifdef AIO_CLI_PATH
// A small well-formedness check: tags balance, attributes are quoted, text has no bare '<' or '&'.
// Returns the data-name of every <g class="row">, or fails the test.
std::vector<std::string> svg_rows(const std::string& svg) {
  std::vector<std::string> open;
  std::vector<std::string> rows;
  static const std::regex k_tag(R"(^<(/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(/?)>$)");
  static const std::regex k_attr(R"re(([\w:-]+)="([^"<]*)")re");
  static const std::regex k_text(R"(^(?:[^<&]|&(?:amp|lt|gt|quot|apos);)*$)");
  auto unescape = [](std::string s) {
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}}) {
      for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    }
    return s;
  };
  std::size_t at = 0;
  if (svg.rfind("<?xml", 0) == 0) at = svg.find("?>") + 2;
  while (at < svg.size()) {
    const std::size_t lt = svg.find('<', at);
    const std::string text = svg.substr(at, lt == std::string::npos ? std::string::npos : lt - at);
    EXPECT_TRUE(std::regex_match(text, k_text)) << "bad text: " << text;
    if (lt == std::string::npos) break;
    const std::size_t gt = svg.find('>', lt);
    if (gt == std::string::npos) {
      ADD_FAILURE() << "unterminated tag";
      break;
    }
    const std::string tag = svg.substr(lt, gt - lt + 1);
    std::smatch m;
    if (!std::regex_match(tag, m, k_tag)) {
      ADD_FAILURE() << "malformed tag: " << tag;
      break;
    }
    if (m[1].length() > 0) {
      if (open.empty() || open.back() != m[2].str()) {
        ADD_FAILURE() << "unbalanced </" << m[2] << ">";
        break;
      }
      open.pop_back();
    } else {
      const std::string attrs = m[3].str();
      std::map<std::string, std::string> a;
      for (std::sregex_iterator it(attrs.begin(), attrs.end(), k_attr), end; it != end; ++it)
        a[(*it)[1].str()] = unescape((*it)[2].str());
      if (m[2] == "g" && a["class"] == "row") rows.push_back(a["data-name"]);
      if (m[4].length() == 0) open.push_back(m[2].str());
    }
    at = gt + 1;
  }
  EXPECT_TRUE(open.empty()) << "unclosed <" << (open.empty() ? "" : open.back()) << ">";
  return rows;
}

std::string run_command(const std::string& command, int& status) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  status = ::pclose(p);
  return out;
}

TEST(trace, trace_svg_draws_one_row_per_task) {
  const std::string path = temp_path("svg");
  aio_test::run(both(), {.trace_path = path});
  int status = -1;
  const std::string svg = run_command(std::string(AIO_CLI_PATH) + " trace-svg " + path, status);
  EXPECT_EQ(status, 0);
  ASSERT_NE(svg.find("<svg"), std::string::npos) << svg;
  std::vector<std::string> rows = svg_rows(svg);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{"con-0", "con-1", "con-2", "main", "seq-0", "seq-1", "seq-2"}));
  EXPECT_NE(svg.find("class=\"run\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"wait\""), std::string::npos);
  // A real XML parser agrees, where there is one.
  const std::string file = temp_path("svg") + ".svg";
  std::ofstream(file) << svg;
  if (std::system("command -v python3 >/dev/null 2>&1") == 0) {
    EXPECT_EQ(
        std::system(
            ("python3 -c 'import sys, xml.etree.ElementTree as E; "
             "r = E.parse(sys.argv[1]).getroot(); sys.exit(r.tag != \"{http://www.w3.org/2000/svg}svg\")' " +
             file)
                .c_str()),
        0);
  }
  std::remove(file.c_str());

  std::remove(path.c_str());
}

TEST(trace, trace_svg_reports_bad_input_and_fails) {
  // Each: what the file holds (none: missing), what the message must say. Nothing on standard output.
  const std::vector<std::pair<const char*, std::string>> cases = {
      {nullptr, "cannot read"},
      {"{\"traceEvents\": [", "not JSON"},
      {"<html></html>", "not JSON"},
      {"{\"events\": []}", "no \"traceEvents\" array"},
  };
  for (const auto& [content, message] : cases) {
    const std::string bad = temp_path("bad");
    if (content != nullptr) std::ofstream(bad) << content;
    int status = -1;
    const std::string out =
        run_command(std::string(AIO_CLI_PATH) + " trace-svg " + bad + " 2>&1 >/dev/null", status);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
    EXPECT_NE(out.find(message), std::string::npos) << out;
    EXPECT_NE(out.find(bad), std::string::npos) << out;  // says which file
    std::remove(bad.c_str());
  }
  int status = -1;
  run_command(std::string(AIO_CLI_PATH) + " trace-svg 2>/dev/null", status);
  EXPECT_NE(status, 0);  // no file named
}
#endif

}  // namespace
