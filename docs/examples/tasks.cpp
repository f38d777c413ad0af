// docs/guide/tasks.md: the guide's lambda-coroutine block, run on virtual time (aio_test::run checks
// that nothing leaked). The first block is examples/hello.cpp.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <string>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<> lambda_parameter_main() {
  auto t = aio::create_task([](std::string who) -> aio::coro<> {  // not [who]
    co_await aio::sleep(1s);
    std::cout << "hi " << who << "\n";
  }("bob"));
  co_await t;  // the lambda object is long gone; `who` lives in the frame
}

TEST(DocTasks, LambdaCoroutineTakesParameters) {
  testing::internal::CaptureStdout();
  aio_test::run(lambda_parameter_main());
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "hi bob\n");
}

}  // namespace
