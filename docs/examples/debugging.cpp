// docs/guide/debugging.md: the guide's blocks, completed and run, with what the guide says they print
// checked.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

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

}  // namespace
