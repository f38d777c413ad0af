// aio::with: the resource is closed (awaited) after a body that succeeds, throws or is cancelled; which
// failure wins when the close fails too; owned and borrowed resources; the lambda's captures outliving
// the body; real files, sockets, servers and processes.
#include "aio/task/with.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../fs/fs_test_util.hpp"
#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

/// A resource whose close takes time (it suspends) and may fail, recording what happened to it.
struct slow_resource {
  std::vector<std::string>* log;
  std::string name;
  bool fail_close = false;
  bool closed = false;
  aio::coro<> close() {
    log->push_back(name + " closing");
    co_await aio::sleep(5s);  // a cancellation of the with's task must not cut this short
    closed = true;
    log->push_back(name + " closed");
    if (fail_close) throw std::runtime_error(name + " close failed");
  }
};

TEST(with, closes_a_file_after_the_body_and_returns_the_body_value) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "out.txt";
  aio_test::run([](std::string path) -> aio::coro<> {
    int n =
        co_await aio::with(co_await aio::files::open(path, "w"), [&](aio::files::file& f) -> aio::coro<int> {
          co_await f.write("hello\n");  // buffered: on disk only once close() flushed it
          co_return 42;
        });
    EXPECT_EQ(n, 42);
    EXPECT_EQ(fs_test::read_file(path), "hello\n");
  }(p));
}

TEST(with, closes_the_file_when_the_body_throws_and_rethrows) {
  const fs_test::temp_dir dir;
  const std::string p = dir / "out.txt";
  aio_test::run([](std::string path) -> aio::coro<> {
    bool caught = false;
    try {
      co_await aio::with(co_await aio::files::open(path, "w"), [&](aio::files::file& f) -> aio::coro<> {
        co_await f.write("partial");
        throw std::invalid_argument("body failed");
      });
    } catch (const std::invalid_argument& e) {
      caught = true;
      EXPECT_STREQ(e.what(), "body failed");
    }
    EXPECT_TRUE(caught);
    EXPECT_EQ(fs_test::read_file(path), "partial");  // close() flushed it
  }(p));
}

TEST(with, a_cancelled_body_still_has_its_close_awaited_to_the_end) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>& log) -> aio::coro<> {
    slow_resource r{&log, "r"};
    auto start = aio::get_running_loop().time();
    auto t = aio::create_task(aio::with(r, [&](slow_resource&) -> aio::coro<> {
      log.emplace_back("body");
      co_await aio::sleep(1h);
      log.emplace_back("body resumed");  // never
    }));
    co_await aio::sleep(1s);
    t.cancel();
    co_await aio::sleep(1s);
    t.cancel();  // a second request during the close does not cut it short either
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_TRUE(t.cancelled());
    EXPECT_TRUE(r.closed);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 6.0);  // 1 s of body, 5 s of close
  }(log));
  EXPECT_EQ(log, (std::vector<std::string>{"body", "r closing", "r closed"}));
}

TEST(with, a_cancel_arriving_during_the_close_is_delivered_after_it) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>& log) -> aio::coro<> {
    slow_resource r{&log, "r"};
    bool after = false;
    auto t = aio::create_task([](slow_resource& r, bool& after) -> aio::coro<> {
      co_await aio::with(r, [](slow_resource&) -> aio::coro<> { co_return; });
      after = true;  // never: the cancellation is thrown by the with
    }(r, after));
    co_await aio::sleep(1s);  // the body is done, the close sleeps
    EXPECT_EQ(log, (std::vector<std::string>{"r closing"}));
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_TRUE(r.closed);
    EXPECT_FALSE(after);
  }(log));
}

TEST(with, an_uncancelled_request_during_the_close_is_dropped) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>& log) -> aio::coro<> {
    slow_resource r{&log, "r"};
    auto t = aio::create_task([](slow_resource& r) -> aio::coro<int> {
      co_await aio::with(r, [](slow_resource&) -> aio::coro<> { co_return; });
      co_return 7;
    }(r));
    co_await aio::sleep(1s);
    t.cancel();
    EXPECT_EQ(t.uncancel(), 0);  // withdrawn before the close ended: nothing to deliver
    EXPECT_EQ(co_await t, 7);
  }(log));
}

TEST(with, a_failing_close_propagates_after_a_successful_body) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>& log) -> aio::coro<> {
    slow_resource r{&log, "r", true};
    EXPECT_THROW(co_await aio::with(r, [](slow_resource&) -> aio::coro<> { co_return; }), std::runtime_error);
    EXPECT_TRUE(r.closed);
  }(log));
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(with, the_body_exception_wins_over_a_failing_close_which_is_reported) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>& log) -> aio::coro<> {
    slow_resource r{&log, "r", true};
    EXPECT_THROW(co_await aio::with(r,
                                    [](slow_resource&) -> aio::coro<> {
                                      co_await aio::sleep(1s);
                                      throw std::invalid_argument("body");
                                    }),
                 std::invalid_argument);
    EXPECT_TRUE(r.closed);
    EXPECT_EQ(
        aio_test::report_messages(),
        std::vector<std::string>{"aio: aio::with: a close failed while an earlier exception propagated"});
    if (!aio_test::reports().empty()) {
      EXPECT_THROW(std::rethrow_exception(aio_test::reports()[0].exception), std::runtime_error);
    }
    aio_test::reports().clear();
  }(log));
}

TEST(with, a_cancelled_body_and_a_failing_close_end_cancelled) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>& log) -> aio::coro<> {
    slow_resource r{&log, "r", true};
    auto t = aio::create_task(aio::with(r, [](slow_resource&) -> aio::coro<> { co_await aio::sleep(1h); }));
    co_await aio::sleep(1s);
    t.cancel();
    EXPECT_THROW(co_await t, aio::cancelled_error);
    EXPECT_TRUE(r.closed);
    EXPECT_EQ(aio_test::reports().size(), 1U);
    aio_test::reports().clear();
  }(log));
}

TEST(with, the_lambda_captures_live_until_the_body_ends) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>& log) -> aio::coro<> {
    slow_resource r{&log, "r"};
    std::string_view word = "captured";
    // The closure is a temporary of this statement; its body coroutine uses the captures after the
    // first suspension, so with must keep the closure alive in its own frame (ASan sees a read of a
    // dead closure). The by-value capture is trivially destructible: one of non-trivial type, written
    // in a coroutine, is refused on g++ 12 (docs/design/compilers.md).
    auto t = aio::create_task(aio::with(r, [&log, word](slow_resource&) -> aio::coro<> {
      co_await aio::sleep(1s);
      log.emplace_back(word);
    }));
    co_await t;
  }(log));
  EXPECT_EQ(log, (std::vector<std::string>{"captured", "r closing", "r closed"}));
}

TEST(with, stream_writer_and_server_are_closed_and_waited_for) {
  aio_test::run([]() -> aio::coro<> {
    std::string received;
    aio::event done;
    auto handle = [&](aio::stream_reader reader, aio::stream_writer writer) -> aio::coro<> {
      received = co_await reader.read();  // to EOF: the client's close
      writer.close();
      co_await writer.wait_closed();
      done.set();
    };
    co_await aio::with(co_await aio::start_server(handle, "127.0.0.1", 0),
                       [&](aio::server& srv) -> aio::coro<> {
                         auto [reader, writer] = co_await aio::open_connection("127.0.0.1", srv.port());
                         co_await aio::with(writer, [&](aio::stream_writer& w) -> aio::coro<> {
                           w.write("ping");
                           co_return;
                         });
                         EXPECT_TRUE(writer.is_closing());
                         co_await done.wait();
                       });
    EXPECT_EQ(received, "ping");
  }());
}

TEST(with, a_process_has_stdin_closed_and_its_exit_awaited) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::process kept;
        co_await aio::with(co_await aio::create_subprocess_shell("cat >/dev/null; exit 3",
                                                                 {.stdin_ = aio::pipe, .stdout_ = aio::pipe}),
                           [&](aio::process& p) -> aio::coro<> {
                             p.stdin_().write("data");
                             kept = p;
                             EXPECT_FALSE(p.returncode().has_value());  // cat waits for the end of its input
                             co_return;
                           });
        EXPECT_EQ(kept.returncode(), 3);  // exited before the with returned
      }(),
      {.clock = aio::real_clock});
}

TEST(with, aclose_picks_the_rule_of_each_shape) {
  static_assert(aio::async_closable<aio::files::file>);
  static_assert(aio::async_closable<aio::stream_writer>);
  static_assert(aio::async_closable<aio::server>);
  static_assert(aio::async_closable<aio::process>);
  static_assert(aio::async_closable<aio::udp_socket>);
  static_assert(aio::async_closable<aio::http::client_session>);
  static_assert(aio::async_closable<aio::http::websocket_connection>);
  static_assert(aio::async_closable<aio::http::app_server>);
  static_assert(aio::async_closable<aio::sqlite::connection>);
  static_assert(aio::async_closable<aio::pg::connection>);
  static_assert(aio::async_closable<aio::pg::pool>);
  static_assert(aio::async_closable<aio::async_exit_stack>);
  static_assert(!aio::async_closable<std::string>);
  static_assert(!aio::async_closable<aio::lock>);
}

}  // namespace
