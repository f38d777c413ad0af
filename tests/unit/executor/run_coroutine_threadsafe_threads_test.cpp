// aio::run_coroutine_threadsafe (asyncio.run_coroutine_threadsafe): a foreign thread submits a coro
// to a running loop and gets a std::future; failures and cancellation come through it; a loop that
// closes first breaks the promise. Runs under TSan (the file name has "threads").
#include "aio/executor/run_coroutine_threadsafe.hpp"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "aio/executor/to_thread.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<int> compute(int v) {
  co_await aio::sleep(5ms);
  co_return v * 2;
}

aio::coro<std::string> fails() {
  co_await aio::sleep(1ms);
  throw std::runtime_error("coro failed");
}

bool is_broken_promise(std::future<int>& f) {
  try {
    f.get();
  } catch (const std::future_error& e) {
    return e.code() == std::future_errc::broken_promise;
  }
  return false;
}

TEST(run_coroutine_threadsafe, a_foreign_thread_gets_the_result) {
  aio_test::run([]() -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    const auto loop_thread = std::this_thread::get_id();
    // The worker submits to the loop and blocks on the std::future while the loop runs the coro.
    int v = co_await aio::to_thread([&loop, loop_thread] {
      EXPECT_NE(std::this_thread::get_id(), loop_thread);
      return aio::run_coroutine_threadsafe(compute(21), loop).get();
    });
    EXPECT_EQ(v, 42);
    co_await aio::to_thread([&loop] {
      auto f = aio::run_coroutine_threadsafe([]() -> aio::coro<> { co_await aio::sleep(1ms); }(), loop);
      f.get();
    });
  }());
}

TEST(run_coroutine_threadsafe, failures_and_cancellation_come_through_the_future) {
  aio_test::run([]() -> aio::coro<> {
    aio::event_loop& loop = aio::get_running_loop();
    std::string what = co_await aio::to_thread([&loop] {
      auto f = aio::run_coroutine_threadsafe(fails(), loop);
      try {
        f.get();
      } catch (const std::runtime_error& e) {
        return std::string(e.what());
      }
      return std::string("no exception");
    });
    EXPECT_EQ(what, "coro failed");
    bool cancelled = co_await aio::to_thread([&loop] {
      auto f = aio::run_coroutine_threadsafe(
          []() -> aio::coro<int> {
            aio::current_task().cancel();
            co_await aio::sleep(1h);
            co_return 0;
          }(),
          loop);
      try {
        f.get();
      } catch (const aio::cancelled_error&) {
        return true;
      }
      return false;
    });
    EXPECT_TRUE(cancelled);
  }());
}

TEST(run_coroutine_threadsafe, a_loop_closed_before_running_the_coro_breaks_the_promise) {
  auto loop = std::make_unique<aio::event_loop>();
  std::future<int> f;
  std::thread submitter([&] { f = aio::run_coroutine_threadsafe(compute(1), *loop); });
  submitter.join();
  loop->close();  // never ran: the submitted callback (and the coro) is dropped
  EXPECT_TRUE(is_broken_promise(f));
  // Submitting to a loop that is already closed breaks the promise too.
  std::future<int> late;
  std::thread late_submitter([&] { late = aio::run_coroutine_threadsafe(compute(2), *loop); });
  late_submitter.join();
  EXPECT_TRUE(is_broken_promise(late));
}

TEST(run_coroutine_threadsafe, a_loop_closed_while_the_coro_waits_breaks_the_promise) {
  aio::event_loop loop;
  std::future<int> f;
  std::thread submitter([&] {
    f = aio::run_coroutine_threadsafe(
        []() -> aio::coro<int> {
          co_await aio::sleep(1h);
          co_return 0;
        }(),
        loop);
  });
  submitter.join();
  loop.set_exception_handler(
      [](aio::event_loop&, const aio::exception_context&) {});  // "destroyed but pending"
  loop.run_until([&loop] { return loop.live_tasks() == 1 && loop.pending_timers() == 1; });
  loop.close();
  EXPECT_TRUE(is_broken_promise(f));
}

}  // namespace
