#include "aio/runtime/run.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/aio.hpp"

using namespace std::chrono_literals;

namespace {

TEST(run, returns_the_result_of_main) {
  EXPECT_EQ(aio::run([]() -> aio::coro<int> {
              co_await aio::sleep(1ms);
              co_return 42;
            }()),
            42);
}

TEST(run, rethrows_the_failure_of_main) {
  EXPECT_THROW(aio::run([]() -> aio::coro<> {
                 co_await aio::sleep(0s);
                 throw std::invalid_argument("bad");
               }()),
               std::invalid_argument);
}

TEST(run, refuses_to_run_inside_a_running_loop) {
  aio::run([]() -> aio::coro<> {
    try {
      aio::run([]() -> aio::coro<> { co_return; }());
      ADD_FAILURE() << "nested run did not throw";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("running event loop"), std::string::npos);
    }
    co_return;
  }());
}

TEST(run, leftover_tasks_are_cancelled_and_awaited_when_main_returns) {
  std::vector<std::string> log;
  aio::run(
      [](std::vector<std::string>* log) -> aio::coro<> {
        (void)aio::create_task([](std::vector<std::string>* log) -> aio::coro<> {
          try {
            co_await aio::sleep(3600s);
          } catch (const aio::cancelled_error&) {
            log->push_back("cancelled");
            throw;
          }
        }(log));
        co_await aio::sleep(0s);
        log->push_back("main done");
      }(&log),
      {.clock = aio::virtual_clock});
  EXPECT_EQ(log, (std::vector<std::string>{"main done", "cancelled"}));
}

aio::coro<> hold_connection(aio::stream_reader /*r*/, aio::stream_writer /*w*/) {
  co_await aio::sleep(3600s);
}

/// Cancelled with the other leftovers, it closes the server and waits for its connections to end, as a
/// clean-up in a task does (the dashboard's own server shuts down this way).
aio::coro<> close_server_when_cancelled(std::shared_ptr<aio::server> srv, bool* closed) {
  bool cancelled = false;
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error&) {
    cancelled = true;
  }
  if (cancelled) aio::current_task().uncancel();
  srv->close();
  co_await aio::wait_for(srv->wait_closed(), 5s);  // a timeout_error fails the test instead of a hang
  *closed = true;
}

TEST(run, a_leftover_task_can_wait_for_a_server_whose_connections_were_cancelled) {
  // The server's wait_closed() waits for each connection's task frame to go; aio::run must not keep
  // the frames of the leftover tasks it cancelled while it waits for the rest.
  bool closed = false;
  aio::run([](bool* closed) -> aio::coro<> {
    auto srv = std::make_shared<aio::server>(co_await aio::start_server(&hold_connection, "127.0.0.1", 0));
    (void)aio::create_task(close_server_when_cancelled(srv, closed));
    auto [r, w] = co_await aio::open_connection("127.0.0.1", srv->port());
    while (srv->connection_count() == 0) co_await aio::sleep(1ms);
  }(&closed));
  EXPECT_TRUE(closed);
}

aio::coro<> fail_when_cancelled() {
  bool cancelled = false;
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error&) {
    cancelled = true;
  }
  if (cancelled) throw std::runtime_error("clean-up failed");
}

TEST(run, a_leftover_task_that_fails_in_its_clean_up_is_reported) {
  testing::internal::CaptureStderr();
  aio::run([]() -> aio::coro<> {
    (void)aio::create_task(fail_when_cancelled(), "fragile");
    co_await aio::sleep(0s);
  }());
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("unhandled exception during aio::run() shutdown"), std::string::npos) << err;
  EXPECT_NE(err.find("clean-up failed"), std::string::npos) << err;
}

TEST(run, virtual_clock_makes_an_hour_take_no_time) {
  const auto wall = std::chrono::steady_clock::now();
  const double slept = aio::run(
      []() -> aio::coro<double> {
        auto& loop = aio::get_running_loop();
        const auto start = loop.time();
        co_await aio::sleep(1h);
        co_return std::chrono::duration<double>(loop.time() - start).count();
      }(),
      {.clock = aio::virtual_clock});
  EXPECT_DOUBLE_EQ(slept, 3600.0);
  EXPECT_LT(std::chrono::steady_clock::now() - wall, 10s);
}

TEST(run, sigint_cancels_main_and_becomes_keyboard_interrupt) {
  // In-process, so with raise_keyboard_interrupt: the default ends the process (keyboard_interrupt_test).
  std::vector<std::string> log;
  bool interrupted = false;
  try {
    aio::run(
        [](std::vector<std::string>* log) -> aio::coro<> {
          std::raise(SIGINT);
          try {
            co_await aio::sleep(3600s);
          } catch (const aio::cancelled_error& e) {
            log->push_back(std::string("cancelled: ") + e.what());
            throw;
          }
        }(&log),
        {.raise_keyboard_interrupt = true});
  } catch (const aio::keyboard_interrupt&) {
    interrupted = true;
  }
  EXPECT_TRUE(interrupted);
  EXPECT_EQ(log, (std::vector<std::string>{"cancelled: interrupted by SIGINT"}));
  struct sigaction sa {};
  ::sigaction(SIGINT, nullptr, &sa);
  EXPECT_EQ(sa.sa_handler, SIG_DFL);  // restored after run
}

TEST(run, main_that_swallows_the_sigint_cancellation_returns_normally) {
  // asyncio.Runner.run: KeyboardInterrupt only when main ends cancelled; a main that handles the
  // cancellation and returns gives its result.
  const int got = aio::run(
      []() -> aio::coro<int> {
        std::raise(SIGINT);
        try {
          co_await aio::sleep(3600s);
        } catch (const aio::cancelled_error&) {
          co_return 7;
        }
        co_return 0;
      }(),
      {.raise_keyboard_interrupt = true});
  EXPECT_EQ(got, 7);
}

TEST(run, a_sigint_ignored_by_the_program_is_left_alone) {
  // aio::run installs its handling only over the default disposition (Python: only over
  // default_int_handler), and restores nothing else.
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGINT, &ign, &before), 0);
  const bool finished = aio::run([]() -> aio::coro<bool> {
    std::raise(SIGINT);
    co_await aio::sleep(10ms);
    co_return true;
  }());
  struct sigaction now {};
  ::sigaction(SIGINT, &before, &now);
  EXPECT_TRUE(finished);
  EXPECT_EQ(now.sa_handler, SIG_IGN);
}

TEST(run, a_second_sigint_stops_at_once) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    aio::run([]() -> aio::coro<> {
      std::raise(SIGINT);
      for (;;) {
        try {
          co_await aio::sleep(3600s);
        } catch (const aio::cancelled_error&) {
          std::raise(SIGINT);  // the main task ignores the first: the second must end the process
        }
      }
    }());
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGINT);
}

TEST(run, aio_debug_environment_turns_debug_mode_on) {
  ::setenv("AIO_DEBUG", "1", 1);
  const bool debug = aio::run([]() -> aio::coro<bool> { co_return aio::get_running_loop().get_debug(); }());
  ::unsetenv("AIO_DEBUG");
  EXPECT_TRUE(debug);
  EXPECT_FALSE(aio::run([]() -> aio::coro<bool> { co_return aio::get_running_loop().get_debug(); }()));
}

TEST(run, debug_mode_reports_slow_steps_with_the_task_name) {
  testing::internal::CaptureStderr();
  aio::run(
      []() -> aio::coro<> {
        auto& loop = aio::get_running_loop();
        loop.slow_callback_duration = std::chrono::milliseconds(1);
        co_await aio::create_task(
            []() -> aio::coro<> {
              const auto until = std::chrono::steady_clock::now() + 5ms;
              while (std::chrono::steady_clock::now() < until) {
              }
              co_return;
            }(),
            "busy");
      }(),
      {.debug = true});
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("task busy took"), std::string::npos) << err;
}

}  // namespace
