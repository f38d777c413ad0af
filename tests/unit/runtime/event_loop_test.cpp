#include "aio/runtime/event_loop.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(event_loop, call_soon_runs_in_fifo_order_on_a_later_turn) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    std::vector<int> log;
    for (int i = 0; i < 5; ++i) loop.call_soon([&log, i] { log.push_back(i); });
    EXPECT_TRUE(log.empty());
    co_await aio::sleep(0s);
    EXPECT_EQ(log, (std::vector<int>{0, 1, 2, 3, 4}));
  }());
}

TEST(event_loop, call_soon_threadsafe_on_the_loop_thread_keeps_its_fifo_place) {
  // CPython test_call_soon_threadsafe_same_thread: the loop is not running yet.
  aio::event_loop loop({.clock = aio::virtual_clock});
  std::vector<std::string> results;
  auto callback = [&](const char* arg) {
    results.emplace_back(arg);
    if (results.size() >= 2) loop.stop();
  };
  loop.call_soon_threadsafe([&] { callback("hello"); });
  loop.call_soon([&] { callback("world"); });
  loop.run_forever();
  EXPECT_EQ(results, (std::vector<std::string>{"hello", "world"}));
  loop.close();
}

TEST(event_loop, call_soon_threadsafe_inside_the_running_loop_keeps_its_fifo_place) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    std::vector<int> log;
    loop.call_soon([&log] { log.push_back(1); });
    loop.call_soon_threadsafe([&log] { log.push_back(2); });
    loop.call_soon([&log] { log.push_back(3); });
    co_await aio::sleep(0s);
    EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
  }());
}

TEST(event_loop, callbacks_scheduled_by_callbacks_run_on_the_next_iteration) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    std::vector<std::string> log;
    loop.call_soon([&] {
      log.push_back("first");
      loop.call_soon([&] { log.push_back("nested"); });
    });
    loop.call_soon([&] { log.push_back("second"); });
    co_await aio::sleep(0s);
    EXPECT_EQ(log, (std::vector<std::string>{"first", "second"}));
    co_await aio::sleep(0s);
    EXPECT_EQ(log.back(), "nested");
  }());
}

TEST(event_loop, timers_with_equal_deadlines_run_in_scheduling_order) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    std::vector<int> log;
    const auto when = loop.time() + 5s;
    for (int i = 0; i < 50; ++i) loop.call_at(when, [&log, i] { log.push_back(i); });
    loop.call_later(1s, [&log] { log.push_back(-1); });
    co_await aio::sleep(6s);
    EXPECT_EQ(log.size(), 51U);
    if (log.size() != 51U) co_return;
    EXPECT_EQ(log.front(), -1);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(log[static_cast<std::size_t>(i) + 1], i);
  }());
}

TEST(event_loop, cancelled_timer_never_runs_and_cancel_after_run_is_harmless) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    int runs = 0;
    auto h = loop.call_later(1s, [&runs] { ++runs; });
    auto ran = loop.call_later(0.5s, [&runs] { runs += 10; });
    h.cancel();
    EXPECT_TRUE(h.cancelled());
    co_await aio::sleep(2s);
    EXPECT_EQ(runs, 10);
    ran.cancel();  // already ran: nothing happens
    auto soon = loop.call_soon([&runs] { runs += 100; });
    soon.cancel();
    co_await aio::sleep(0s);
    EXPECT_EQ(runs, 10);
  }());
}

TEST(event_loop, a_timer_in_the_past_runs_at_once) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    bool ran = false;
    loop.call_at(loop.time() - 10s, [&ran] { ran = true; });
    loop.call_later(-3s, [] {});
    co_await aio::sleep(0s);
    co_await aio::sleep(0s);
    EXPECT_TRUE(ran);
  }());
}

TEST(event_loop, virtual_time_jumps_an_hour_at_once) {
  const auto wall = std::chrono::steady_clock::now();
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    const auto start = loop.time();
    co_await aio::sleep(3600s);
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 3600.0);
  }());
  EXPECT_LT(std::chrono::steady_clock::now() - wall, 10s);
}

TEST(event_loop, a_throwing_callback_goes_to_the_exception_handler_and_the_loop_survives) {
  aio_test::run(
      []() -> aio::coro<> {
        auto& loop = aio::get_running_loop();
        bool after = false;
        loop.call_soon([] { throw std::runtime_error("callback failed"); });
        loop.call_soon([&after] { after = true; });
        co_await aio::sleep(0s);
        EXPECT_TRUE(after);
      }(),
      {.expected_reports = 1});
  ASSERT_EQ(aio_test::reports().size(), 1U);
  EXPECT_EQ(aio_test::reports()[0].message, "Exception in callback");
  EXPECT_THROW(std::rethrow_exception(aio_test::reports()[0].exception), std::runtime_error);
}

TEST(event_loop, add_reader_and_writer_on_a_pipe) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    aio::future<std::string> got;
    loop.add_writer(fds[1], [&loop, fd = fds[1]] {
      EXPECT_EQ(::write(fd, "ping", 4), 4);
      loop.remove_writer(fd);
    });
    loop.add_reader(fds[0], [&loop, &got, fd = fds[0]] {
      char buf[16];
      const auto n = ::read(fd, buf, sizeof buf);
      loop.remove_reader(fd);
      got.set_result(std::string(buf, static_cast<std::size_t>(n)));
    });
    EXPECT_EQ(loop.watched_fds(), 2U);
    EXPECT_EQ(co_await got, "ping");
    EXPECT_EQ(loop.watched_fds(), 0U);
    EXPECT_FALSE(loop.remove_reader(fds[0]));
    EXPECT_THROW(loop.add_reader(-1, [] {}), std::invalid_argument);
    ::close(fds[0]);
    ::close(fds[1]);
  }());
}

TEST(event_loop, signal_handler_runs_on_the_loop) {
  aio_test::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    aio::future<int> got;
    loop.add_signal_handler(SIGUSR1, [&got] { got.set_result(SIGUSR1); });
    std::raise(SIGUSR1);
    EXPECT_EQ(co_await got, SIGUSR1);
    EXPECT_TRUE(loop.remove_signal_handler(SIGUSR1));
    EXPECT_FALSE(loop.remove_signal_handler(SIGUSR1));
    EXPECT_THROW(loop.add_signal_handler(SIGKILL, [] {}), std::invalid_argument);
  }());
}

TEST(event_loop, get_running_loop_outside_a_loop_is_a_clear_error) {
  try {
    (void)aio::get_running_loop();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no running event loop"), std::string::npos);
  }
}

TEST(event_loop, debug_mode_rejects_calls_from_another_thread) {
  aio_test::run(
      []() -> aio::coro<> {
        auto& loop = aio::get_running_loop();
        EXPECT_TRUE(loop.get_debug());
        std::string error;
        std::thread other([&loop, &error] {
          try {
            loop.call_soon([] {});
          } catch (const std::runtime_error& e) {
            error = e.what();
          }
        });
        other.join();
        EXPECT_NE(error.find("call_soon_threadsafe"), std::string::npos) << error;
        co_return;
      }(),
      {.debug = true});
}

TEST(event_loop, pending_tasks_at_close_are_reported) {
  aio::event_loop loop;
  std::vector<std::string> reports;
  loop.set_exception_handler([&reports](aio::event_loop&, const aio::exception_context& ctx) {
    reports.push_back(ctx.message + ":" + ctx.task_name);
  });
  auto t = loop.create_task(
      []() -> aio::coro<> {
        aio::future<> never;
        co_await never;
      }(),
      "stuck");
  int iterations = 0;
  loop.run_until([&iterations] { return iterations++ == 1; });  // one iteration: the task parks
  loop.close();
  EXPECT_EQ(reports, (std::vector<std::string>{"Task was destroyed but it is pending:stuck"}));
  EXPECT_TRUE(t.cancelled());
  EXPECT_TRUE(loop.is_closed());
  EXPECT_THROW(loop.run_forever(), std::runtime_error);
}

TEST(event_loop, explicit_io_uring_request_gives_io_uring_or_fails_loudly) {
  try {
    aio::event_loop loop(aio::loop_options{.backend = aio::backend::io_uring});
    EXPECT_STREQ(loop.backend_name(), "io_uring");
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("io_uring"), std::string::npos) << e.what();  // never epoll instead
  }
}

}  // namespace

namespace {

TEST(event_loop, close_drops_sleeping_tasks_timers_and_fds_without_leaking) {
  aio::event_loop loop;
  std::vector<std::string> reports;
  loop.set_exception_handler(
      [&reports](aio::event_loop&, const aio::exception_context& ctx) { reports.push_back(ctx.task_name); });
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  bool timer_ran = false;
  loop.call_later(std::chrono::hours(1), [&timer_ran] { timer_ran = true; });
  loop.add_reader(fds[0], [] {});
  auto sleeper =
      loop.create_task([]() -> aio::coro<> { co_await aio::sleep(std::chrono::hours(2)); }(), "sleeper");
  int iterations = 0;
  loop.run_until([&iterations] { return iterations++ == 1; });  // one iteration: the task parks
  EXPECT_EQ(loop.pending_timers(), 2U);
  EXPECT_EQ(loop.watched_fds(), 1U);
  loop.close();
  EXPECT_EQ(reports, (std::vector<std::string>{"sleeper"}));
  EXPECT_TRUE(sleeper.cancelled());
  EXPECT_FALSE(timer_ran);
  EXPECT_EQ(loop.pending_timers(), 0U);
  EXPECT_EQ(loop.watched_fds(), 0U);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(event_loop, a_throwing_exception_handler_falls_back_to_the_default_one) {
  testing::internal::CaptureStderr();
  aio::run([]() -> aio::coro<> {
    auto& loop = aio::get_running_loop();
    loop.set_exception_handler(
        [](aio::event_loop&, const aio::exception_context&) { throw std::runtime_error("handler broke"); });
    loop.call_soon([] { throw std::invalid_argument("callback broke"); });
    co_await aio::sleep(std::chrono::seconds(0));
    co_await aio::sleep(std::chrono::seconds(0));
  }());
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("the exception handler itself threw"), std::string::npos) << err;
  EXPECT_NE(err.find("callback broke"), std::string::npos) << err;
}

}  // namespace
