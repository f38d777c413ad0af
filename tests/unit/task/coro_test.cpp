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

aio::coro<int> one() { co_return 1; }

aio::coro<long> sum_of_ones(long n) {
  long sum = 0;
  for (long i = 0; i < n; ++i) sum += co_await one();
  co_return sum;
}

aio::coro<long> sum_of_ones_after_a_sleep(long n) {
  co_await aio::sleep(0s);  // the loop resumes this frame: the awaits below run from a fresh stack
  co_return co_await sum_of_ones(n);
}

TEST(coro, a_loop_of_awaits_that_finish_at_once_keeps_the_stack_flat) {
  // 2,000,000 iterations once overflowed the stack in -O0 and sanitizer builds (each finished coro
  // transferred back to its caller by a call, not a tail call). Every build must pass it.
  EXPECT_EQ(aio_test::run(sum_of_ones(2'000'000)), 2'000'000);
  EXPECT_EQ(aio_test::run(sum_of_ones_after_a_sleep(2'000'000)), 2'000'000);
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
