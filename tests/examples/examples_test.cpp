// Every example of the tour, on virtual time: its exact output, and that it takes exactly the time its
// tutorial promises (virtual time jumps over the sleeps: a 6-second example runs in microseconds).

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "catalog.hpp"
#include "test_support.hpp"

namespace aio_examples {
// GoogleTest names a failing case by its parameter: print the example's name, not its bytes.
void PrintTo(const example& ex, std::ostream* os) { *os << ex.name; }
}  // namespace aio_examples

namespace {

using aio_examples::example;

// What each example prints, keyed by its catalogue name.
const std::map<std::string_view, std::string_view>& expected_output() {
  static const std::map<std::string_view, std::string_view> k = {
      {"hello", "hello\nworld\n"},
      {"say_after", "started at 0 s\nhello\nworld\nfinished at 3 s\n"},
      {"say_after_tasks", "started at 0 s\nhello\nworld\nfinished at 2 s\n"},
      {"background_task",
       "main: doing other work\n"
       "background: started\n"
       "main: waiting for the background task\n"
       "background: finished\n"
       "main: done\n"},
      {"background_no_await",
       "main: doing other work\n"
       "background: started\n"
       "main: waiting for the background task\n"
       "main: done\n"
       "background: cancelled before it finished\n"},
      {"background_no_sleep",
       "main: doing other work\n"
       "main: waiting for the background task\n"
       "background: started\n"
       "background: finished\n"
       "main: done\n"},
      {"background_no_awaits",
       "main: doing other work\n"
       "main: waiting for the background task\n"
       "main: done\n"},
      {"future",
       "main: waiting for the future\n"
       "background: setting the future to 2026\n"
       "main: the future says 2026\n"},
      {"countdowns", "A: 3\nB: 2\nA: 2\nB: 1\nA: 1\nB: liftoff!\nA: liftoff!\n"},
      {"tcp_echo",
       "serving on 127.0.0.1\n"
       "client: send 'Hello World!'\n"
       "server: received 'Hello World!' from 127.0.0.1\n"
       "server: sent it back, closing the connection\n"
       "client: received 'Hello World!'\n"
       "server closed\n"},
      {"chat",
       "alice sees: * bob joined\n"
       "bob sees: alice: hi bob\n"
       "alice sees: * carol joined\n"
       "bob sees: * carol joined\n"
       "alice sees: * carol left\n"
       "bob sees: * carol left\n"
       "alice sees: bob: bye\n"
       "alice sees: * bob left\n"
       "the room is empty\n"},
      {"tls_echo",
       "client: connected with TLSv1.3, ALPN 'echo/1'\n"
       "server: 'hello over TLS' for 'localhost'\n"
       "client: received 'HELLO OVER TLS'\n"
       "client: clean EOF: yes\n"
       "client: 'example.org' refused: certificate verify failed\n"},
      {"udp_echo",
       "client: sent 'hello'\n"
       "server: 'hello'\n"
       "client: received 'HELLO'\n"
       "client: sent 'datagrams keep'\n"
       "server: 'datagrams keep'\n"
       "client: received 'DATAGRAMS KEEP'\n"
       "client: sent 'their boundaries'\n"
       "server: 'their boundaries'\n"
       "client: received 'THEIR BOUNDARIES'\n"
       "server: stopped\n"
       "client: Connection refused\n"},
      {"files_copy",
       "files_copy: wrote a 64 MiB source file\n"
       "files_copy: copied it with 64 reads and 64 writes of 1 MiB\n"
       "files_copy: the ticker ran while every request was in flight: yes\n"
       "files_copy: the copy has 67108864 bytes and is identical to the source\n"
       "files_copy: removed the temporary directory\n"},
      {"subprocess_pipeline", "sorted: apple fig pear, exit 0\nwc -l counted 3 lines, exit 0\n"},
      {"gather",
       "A: started, 2 s to go\n"
       "B: started, 1 s to go\n"
       "C: started, 3 s to go\n"
       "B: done\n"
       "A: done\n"
       "C: done\n"
       "in argument order: result A, result B, result C\n"},
      {"fetch_sequential",
       "fetching page 1\npage 1 arrived\n"
       "fetching page 2\npage 2 arrived\n"
       "fetching page 3\npage 3 arrived\n"
       "got 3 pages in 6.0 s\n"},
      {"fetch_concurrent",
       "fetching page 1\nfetching page 2\nfetching page 3\n"
       "page 1 arrived\npage 2 arrived\npage 3 arrived\n"
       "got 3 pages in 2.0 s\n"},
      {"gather_return_exceptions", "A -> 1\nB -> error: B: connection refused\nC -> 3\n"},
      {"task_group",
       "both tasks created\n"
       "download: started\n"
       "resize: started\n"
       "download: done\n"
       "resize: done\n"
       "the group is over, every task is done: download ok, resize ok\n"},
      {"exception_group",
       "first: throwing invalid_argument\n"
       "second: throwing invalid_argument\n"
       "long job: started\n"
       "long job: cancelled by the group\n"
       "caught an exception group of 2\n"
       "  invalid_argument: first: bad value\n"
       "  invalid_argument: second: bad value\n"},
      {"wait_for", "timeout!\n"},
      {"shield",
       "save: writing the file (2 s)\n"
       "main: gave up waiting after 1 s; the save goes on\n"
       "save: written\n"
       "main: the save finished: saved\n"},
      {"to_thread",  // and two or more "tick N" lines in between
       "main: starting a 1 s blocking call on a worker thread\n"
       "main: the blocking call returned 'file contents', and the loop kept ticking meanwhile\n"},
      {"as_completed", "after 1 s: fast\nafter 2 s: medium\nafter 3 s: slow\n"},
      {"wait_first_completed",
       "first wait returned\n"
       "  done: fast\n"
       "  pending: slow\n"
       "second wait timed out\n"
       "  done: (none)\n"
       "  pending: slow\n"
       "cancelling slow\n"},
      {"producer_consumer",
       "produced item 1\n"
       "produced item 2\n"
       "consumed item 1\n"
       "produced item 3\n"
       "produced item 4\n"
       "producer: done, waiting for the queue to drain\n"
       "consumed item 2\n"
       "consumed item 3\n"
       "consumed item 4\n"
       "main: every item was consumed\n"},
      {"event",
       "waiting for it ...\n"
       "setting the event\n"
       "... got it!\n"},
      {"race", "without a lock: balance -1 (should be 0: lost updates)\n"},
      {"race_fixed", "with a lock: balance 0\n"},
      {"semaphore",
       "job 1 started\njob 2 started\njob 3 started\n"
       "job 1 finished\njob 2 finished\njob 3 finished\n"
       "job 4 started\njob 5 started\njob 6 started\n"
       "job 4 finished\njob 5 finished\njob 6 finished\n"
       "job 7 started\njob 8 started\njob 9 started\n"
       "job 7 finished\njob 8 finished\njob 9 finished\n"
       "job 10 started\n"
       "job 10 finished\n"
       "at most 3 jobs ran at once\n"},
      {"aiohttp_fetch",
       "GET /delay/2 three times, one after the other\n"
       "  response 1: 200 OK, the server waited 2 s\n"
       "  response 2: 200 OK, the server waited 2 s\n"
       "  response 3: 200 OK, the server waited 2 s\n"
       "3 responses in 6.0 s\n"
       "GET /delay/2 three times at once, with gather\n"
       "  response 1: 200 OK, the server waited 2 s\n"
       "  response 2: 200 OK, the server waited 2 s\n"
       "  response 3: 200 OK, the server waited 2 s\n"
       "3 responses in 2.0 s\n"},
      {"crawler",  // and a "measured:" line
       "crawling 1000 pages from /page/0, at most 50 requests at a time\n"
       "[#####---------------]  25%  250/1000 pages\n"
       "[##########----------]  50%  500/1000 pages\n"
       "[###############-----]  75%  750/1000 pages\n"
       "[####################] 100%  1000/1000 pages\n"
       "crawled 1000 pages, 1010 links followed, at most 50 requests in flight\n"
       "10 broken links (404), 0 errors\n"
       "sqlite: 1010 rows in pages.db, 10 with status 404, 175510 bytes of HTML; "
       "largest page /page/199 (215 bytes)\n"},
      {"websocket_echo",
       "connected to /ws/echo\n"
       "sent 'hello', echo 'hello'\n"
       "sent 'asyncio in C++20', echo 'asyncio in C++20'\n"
       "sent '\u00fcn\u00efc\u00f6d\u00e9 \u2713', echo '\u00fcn\u00efc\u00f6d\u00e9 \u2713'\n"
       "sent bytes 00 01 fe ff, echo 00 01 fe ff\n"
       "sent JSON {\"list\":[1,2,3],\"n\":1}, echo {\"list\":[1,2,3],\"n\":1}\n"
       "closed, the server answered with code 1000\n"},
      {"chat_room",
       "GET /chat: 200, text/html, a page that opens a WebSocket\n"
       "alice sees: * alice joined\n"
       "alice sees: * bob joined\n"
       "bob sees: * bob joined\n"
       "alice sees: alice: hi bob!\n"
       "bob sees: alice: hi bob!\n"
       "alice sees: bob: hello alice\n"
       "bob sees: bob: hello alice\n"
       "alice sees: * bob left\n"
       "the room is empty\n"},
  };
  return k;
}

aio::coro<double> timed(const example& ex, std::ostream& out) {
  const auto start = aio::get_running_loop().time();
  co_await ex.main(out);
  co_return aio_test::seconds_since(start);
}

/// Splits out the lines that start with `prefix` ("tick", "measured:"): the rest, and how many there were.
std::pair<std::string, int> without_lines(const std::string& text, std::string_view prefix) {
  std::istringstream in(text);
  std::string rest;
  int count = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) {
      ++count;
    } else {
      rest += line + "\n";
    }
  }
  return {rest, count};
}

class example_test : public ::testing::TestWithParam<example> {};

TEST_P(example_test, output_and_time) {
  const example& ex = GetParam();
  const auto want = expected_output().find(ex.name);
  ASSERT_NE(want, expected_output().end()) << "no expected output written down for " << ex.name;

  std::ostringstream out;
  const double took = aio_test::run(timed(ex, out), {.allow_leftover_tasks = ex.leaves_tasks});
  if (ex.real_threads) {
    // How often a ticker ticks during a real blocking call depends on the machine: compare the rest.
    const auto [rest, ticks] = without_lines(out.str(), "tick");
    EXPECT_EQ(rest, want->second);
    EXPECT_GE(ticks, 2) << out.str();
  } else if (ex.load_run) {
    // Its "measured:" line (speed, latencies) is the machine's: compare the rest.
    const auto [rest, measured] = without_lines(out.str(), "measured:");
    EXPECT_EQ(rest, want->second);
    EXPECT_EQ(measured, 1) << out.str();
  } else {
    EXPECT_EQ(out.str(), want->second);
  }
  if (ex.load_run) {
    // Virtual time stands still during I/O: a load run takes no time unless a timer fires (a bound
    // against hangs only).
    EXPECT_LT(took, 60.0);
  } else if (ex.real_threads || ex.external) {
    // Real work outside the loop (a thread, a child process): virtual time waits for it, so allow noise.
    EXPECT_GE(took, ex.promised_seconds);
    // (a bound against hangs only: a 64 MiB copy under a sanitizer takes seconds)
    EXPECT_LT(took, ex.promised_seconds + (ex.external ? 60.0 : 2.0));
  } else {
    // Virtual time stands still while tasks run and jumps to each timer: durations are exact.
    EXPECT_DOUBLE_EQ(took, ex.promised_seconds);
  }
  // (aio_test::run has failed the test if the loop's exception handler received anything.)
}

INSTANTIATE_TEST_SUITE_P(tour, example_test,
                         ::testing::ValuesIn(aio_examples::catalog().begin(), aio_examples::catalog().end()),
                         [](const ::testing::TestParamInfo<example>& info) {
                           return std::string(info.param.name);
                         });

TEST(tour_catalogue, names_are_unique_and_promises_are_sane) {
  std::map<std::string_view, int> seen;
  for (const auto& ex : aio_examples::catalog()) {
    EXPECT_EQ(++seen[ex.name], 1) << ex.name;
    EXPECT_GE(ex.promised_seconds, 0.0) << ex.name;
    EXPECT_FALSE(ex.title.empty()) << ex.name;
  }
}

}  // namespace
