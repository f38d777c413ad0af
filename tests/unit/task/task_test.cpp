#include "aio/task/task.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<int> add(int a, int b) {
  co_await aio::sleep(0s);
  co_return a + b;
}

TEST(task, create_task_runs_and_returns) {
  auto r = aio_test::run([]() -> aio::coro<int> {
    auto t = aio::create_task(add(1, 2));
    EXPECT_FALSE(t.done());
    int v = co_await t;
    EXPECT_TRUE(t.done());
    EXPECT_EQ(t.result(), 3);
    co_return v;
  }());
  EXPECT_EQ(r, 3);
}

}  // namespace
