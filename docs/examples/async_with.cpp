// docs/guide/async_with.md: the guide's blocks, completed and run (aio_test::run checks that nothing
// leaked), with what the guide says they do checked.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("aio_doc_async_with_" + name)).string();
}

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- with
aio::coro<> save(std::string path, std::string text) {
  co_await aio::with(co_await aio::files::open(path, "w"), [&](aio::files::file& f) -> aio::coro<> {
    co_await f.write(text);
  });  // f.close() was awaited: the text is on disk, even if write() threw
}

aio::coro<int> count_lines(std::string path) {
  co_return co_await aio::with(co_await aio::files::open(path), [](aio::files::file& f) -> aio::coro<int> {
    int n = 0;
    while (!(co_await f.readline()).empty()) ++n;
    co_return n;
  });
}

TEST(DocAsyncWith, WithClosesTheFileAndReturnsTheBodyValue) {
  const std::string p = temp_path("lines.txt");
  aio_test::run([](std::string p) -> aio::coro<> {
    co_await save(p, "one\ntwo\n");
    EXPECT_EQ(slurp(p), "one\ntwo\n");
    EXPECT_EQ(co_await count_lines(p), 2);
  }(p));
  std::filesystem::remove(p);
}

// ---- borrowed
aio::coro<> send_greeting(std::uint16_t port) {
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
  co_await aio::with(writer, [&](aio::stream_writer& w) -> aio::coro<> {
    w.write("hello\n");
    co_await w.drain();
  });  // writer.close(); co_await writer.wait_closed();
}

TEST(DocAsyncWith, BorrowedWriterIsClosed) {
  aio_test::run([]() -> aio::coro<> {
    std::string got;
    aio::event done;
    auto srv = co_await aio::start_server(
        [&](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
          got = co_await r.read();
          w.close();
          co_await w.wait_closed();
          done.set();
        },
        "127.0.0.1", 0);
    co_await send_greeting(srv.port());
    co_await done.wait();
    EXPECT_EQ(got, "hello\n");
    srv.close();
    co_await srv.wait_closed();
  }());
}

// ---- cancellation
aio::coro<> report(std::vector<std::string>& log) {
  co_await aio::sleep(2s);  // a slow close
  log.emplace_back("report written");
}

struct report_writer {
  std::vector<std::string>* log;
  aio::coro<> aclose() { return report(*log); }
};

aio::coro<> cancelled_with(std::vector<std::string>& log) {
  auto t = aio::create_task(aio::with(report_writer{&log}, [&](report_writer&) -> aio::coro<> {
    co_await aio::sleep(1h);  // cancelled here
  }));
  co_await aio::sleep(1s);
  t.cancel();
  try {
    co_await t;
  } catch (const aio::cancelled_error&) {
    log.emplace_back("cancelled");  // after the 2 s close, which the cancel did not interrupt
  }
}

TEST(DocAsyncWith, CancelledBodyStillCloses) {
  std::vector<std::string> log;
  aio_test::run(cancelled_with(log));
  EXPECT_EQ(log, (std::vector<std::string>{"report written", "cancelled"}));
}

// ---- exit stack
aio::coro<> concatenate(std::vector<std::string> inputs, std::string output) {
  co_await aio::with(aio::async_exit_stack(), [&](aio::async_exit_stack& stack) -> aio::coro<> {
    auto& out = co_await stack.enter(co_await aio::files::open(output, "w"));
    std::vector<aio::files::file*> ins;
    for (const auto& p : inputs) ins.push_back(&co_await stack.enter(co_await aio::files::open(p)));
    // Runs after the body's locals are gone: it captures by value what it needs.
    stack.push_callback([n = ins.size() + 1]() -> aio::coro<> {
      std::cout << "closing " << n << " files\n";  // runs first: last pushed
      co_return;
    });
    for (auto* in : ins) co_await out.write(co_await in->read());
  });  // the callback, then the inputs last to first, then out
}

TEST(DocAsyncWith, ExitStackClosesInReverse) {
  const std::string a = temp_path("a.txt");
  const std::string b = temp_path("b.txt");
  const std::string out = temp_path("out.txt");
  std::ofstream(a) << "A";
  std::ofstream(b) << "B";
  testing::internal::CaptureStdout();
  aio_test::run(concatenate({a, b}, out));
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "closing 3 files\n");
  EXPECT_EQ(slurp(out), "AB");
  for (const auto& p : {a, b, out}) std::filesystem::remove(p);
}

// ---- own type
namespace shop {
class cart {
 public:
  aio::coro<> checkout() {
    co_await aio::sleep(1s);
    checked_out = true;
  }
  bool checked_out = false;
};
// Found by argument-dependent lookup: cart now works with aio::with and async_exit_stack.
inline aio::coro<> aclose(cart& c) { return c.checkout(); }
}  // namespace shop

static_assert(aio::async_closable<shop::cart>);

TEST(DocAsyncWith, OwnTypeThroughAdl) {
  aio_test::run([]() -> aio::coro<> {
    shop::cart c;
    co_await aio::with(c, [](shop::cart&) -> aio::coro<> { co_return; });
    EXPECT_TRUE(c.checked_out);
  }());
}

}  // namespace
