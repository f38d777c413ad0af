#include "aio/task/coro.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<std::string> greet(std::string name, bool* ran) {
  *ran = true;
  co_return "hello " + name;
}

aio::coro<int> depth(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await depth(n - 1);
}

aio::coro<> thrower() {
  co_await aio::sleep(0s);
  throw std::invalid_argument("bad");
}

TEST(coro, is_lazy_until_awaited) {
  bool ran = false;
  aio_test::run([](bool* ran) -> aio::coro<> {
    auto c = greet("aio", ran);
    EXPECT_FALSE(*ran);
    EXPECT_EQ(co_await std::move(c), "hello aio");
    EXPECT_TRUE(*ran);
  }(&ran));
  EXPECT_TRUE(ran);
}

TEST(coro, never_awaited_coro_never_runs_and_is_freed) {
  bool ran = false;
  { auto c = greet("x", &ran); }
  EXPECT_FALSE(ran);
}

TEST(coro, deep_inline_awaits) {
  // Symmetric transfer keeps the stack flat in optimised builds; unoptimised and sanitizer builds may
  // not turn the transfer into a tail call, so the depth stays within any build's stack.
  EXPECT_EQ(aio_test::run(depth(2'000)), 2'000);
}

TEST(coro, exceptions_propagate_to_the_awaiter) {
  aio_test::run([]() -> aio::coro<> { EXPECT_THROW(co_await thrower(), std::invalid_argument); }());
}

TEST(coro, awaiting_a_moved_from_coro_is_a_clear_error) {
  aio_test::run([]() -> aio::coro<> {
    bool ran = false;
    auto c = greet("a", &ran);
    auto d = std::move(c);
    EXPECT_THROW(co_await c, aio::invalid_state_error);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(co_await d, "hello a");
    EXPECT_THROW(co_await d, aio::invalid_state_error);  // awaited twice
  }());
}

TEST(coro, awaiting_a_coro_is_not_a_suspension_point) {
  // An immediately-returning coro does not yield to the loop, so a sibling task does not run.
  aio_test::run([]() -> aio::coro<> {
    int sibling_steps = 0;
    auto t = aio::create_task([](int* steps) -> aio::coro<> {
      ++*steps;
      co_return;
    }(&sibling_steps));
    bool ran = false;
    (void)co_await greet("x", &ran);
    EXPECT_EQ(sibling_steps, 0);
    co_await t;
    EXPECT_EQ(sibling_steps, 1);
  }());
}

}  // namespace
