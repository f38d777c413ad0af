// loop.add_signal_handler / remove_signal_handler: handlers run on the loop, removing restores what
// was there before, and a user's SIGINT handler replaces aio::run's default.

#include <unistd.h>

#include <csignal>
#include <thread>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

volatile std::sig_atomic_t g_previous_ran = 0;
extern "C" void previous_handler(int /*sig*/) { g_previous_ran = 1; }

TEST(signal_handler, raise_runs_the_handler_on_the_loop) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::event_loop& loop = aio::get_running_loop();
        aio::event ran;
        int calls = 0;
        std::thread::id where;
        loop.add_signal_handler(SIGUSR1, [&] {
          ++calls;
          where = std::this_thread::get_id();
          ran.set();
        });
        std::raise(SIGUSR1);
        EXPECT_EQ(calls, 0);  // never inline in the signal handler: through the loop
        co_await aio::wait_for(ran.wait(), 5s);
        EXPECT_EQ(calls, 1);
        EXPECT_EQ(where, std::this_thread::get_id());
        ran.clear();
        ::kill(::getpid(), SIGUSR1);  // the same through kill(2); two quick ones may coalesce, as in asyncio
        co_await aio::wait_for(ran.wait(), 5s);
        EXPECT_EQ(calls, 2);
        EXPECT_TRUE(loop.remove_signal_handler(SIGUSR1));
        EXPECT_FALSE(loop.remove_signal_handler(SIGUSR1));
      }(),
      k_real);
}

TEST(signal_handler, removing_restores_the_previous_disposition) {
  struct sigaction mine {};
  mine.sa_handler = &previous_handler;  // NOLINT(cppcoreguidelines-pro-type-union-access)
  sigemptyset(&mine.sa_mask);
  struct sigaction saved {};
  ASSERT_EQ(::sigaction(SIGUSR2, &mine, &saved), 0);
  aio_test::run(
      []() -> aio::coro<> {
        aio::event_loop& loop = aio::get_running_loop();
        aio::event ran;
        loop.add_signal_handler(SIGUSR2, [&] { ran.set(); });
        struct sigaction now {};
        ::sigaction(SIGUSR2, nullptr, &now);
        EXPECT_NE(now.sa_handler, &previous_handler);  // NOLINT(cppcoreguidelines-pro-type-union-access)
        g_previous_ran = 0;
        std::raise(SIGUSR2);
        co_await aio::wait_for(ran.wait(), 5s);
        EXPECT_EQ(g_previous_ran, 0);
        EXPECT_TRUE(loop.remove_signal_handler(SIGUSR2));
        ::sigaction(SIGUSR2, nullptr, &now);
        EXPECT_EQ(now.sa_handler, &previous_handler);  // NOLINT(cppcoreguidelines-pro-type-union-access)
        std::raise(SIGUSR2);
        EXPECT_EQ(g_previous_ran, 1);
      }(),
      k_real);
  ::sigaction(SIGUSR2, &saved, nullptr);
}

TEST(signal_handler, handlers_are_removed_when_the_loop_closes) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::get_running_loop().add_signal_handler(SIGUSR1, [] {});
        co_return;
      }(),
      k_real);
  struct sigaction now {};
  ::sigaction(SIGUSR1, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);  // NOLINT(cppcoreguidelines-pro-type-union-access)
}

TEST(signal_handler, invalid_signals_are_rejected) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::event_loop& loop = aio::get_running_loop();
        EXPECT_THROW(loop.add_signal_handler(SIGKILL, [] {}), std::invalid_argument);
        EXPECT_THROW(loop.add_signal_handler(SIGSTOP, [] {}), std::invalid_argument);
        EXPECT_THROW(loop.add_signal_handler(0, [] {}), std::invalid_argument);
        EXPECT_THROW(loop.add_signal_handler(1000, [] {}), std::invalid_argument);
        EXPECT_FALSE(loop.remove_signal_handler(1000));
        co_return;
      }(),
      k_real);
}

TEST(signal_handler, a_users_sigint_handler_overrides_aio_runs_default) {
  // aio::run cancels main on SIGINT; a handler the program installs replaces that behaviour.
  const bool finished = aio::run([]() -> aio::coro<bool> {
    aio::event got;
    aio::get_running_loop().add_signal_handler(SIGINT, [&] { got.set(); });
    std::raise(SIGINT);
    co_await aio::wait_for(got.wait(), 5s);
    co_await aio::sleep(10ms);  // main was not cancelled
    co_return true;
  }());
  EXPECT_TRUE(finished);
  struct sigaction now {};
  ::sigaction(SIGINT, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);  // NOLINT(cppcoreguidelines-pro-type-union-access)
}

TEST(signal_handler, without_a_user_handler_sigint_cancels_main) {
  bool cancelled = false;
  bool interrupted = false;
  try {
    aio::run(
        [](bool* cancelled) -> aio::coro<> {
          std::raise(SIGINT);
          try {
            co_await aio::sleep(5s);
          } catch (const aio::cancelled_error&) {
            *cancelled = true;
            throw;
          }
        }(&cancelled),
        {.raise_keyboard_interrupt = true});
  } catch (const aio::keyboard_interrupt&) {
    interrupted = true;
  }
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(interrupted);
}

}  // namespace
