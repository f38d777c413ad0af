// docs/guide/subprocess.md: the ways to give create_subprocess_exec its arguments, run with real
// children (aio_test::run checks that nothing leaked). The pipeline block is
// examples/subprocess_pipeline.cpp.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <aio/process/create_subprocess.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using aio_test::k_real;

// ---- Starting a child: the arguments
aio::coro<std::string> exec_forms_main(std::string cmd, std::vector<std::string> args) {
  // one by one, as asyncio's *args
  aio::process echo = co_await aio::create_subprocess_exec("echo", "a", "b", {.stdout_ = aio::pipe});
  // a braced list
  aio::process sh = co_await aio::create_subprocess_exec("/bin/sh", {"-c", cmd}, {.stdout_ = aio::pipe});
  // a std::vector<std::string> built at run time
  aio::process built = co_await aio::create_subprocess_exec("echo", args, {.stdout_ = aio::pipe});
  std::string out = (co_await echo.communicate()).stdout_;
  out += (co_await sh.communicate()).stdout_;
  out += (co_await built.communicate()).stdout_;
  co_return out;
}

TEST(DocSubprocess, ExecArguments) {
  EXPECT_EQ(aio_test::run(exec_forms_main("echo from sh", {"x", "y", "z"}), k_real), "a b\nfrom sh\nx y z\n");
}

}  // namespace
