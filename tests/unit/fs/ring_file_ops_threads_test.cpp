// On io_uring, aio::files reads and writes an open file through the ring, not the thread pool: they
// complete while every worker of the default pool is blocked. (On epoll they go to the pool; the
// rest of the fs suite covers both routes, since the suite runs once per backend.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "aio/aio.hpp"
#include "fs_test_util.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
namespace files = aio::files;

// More jobs than any default pool has workers (min(32, cores + 4)): all of them are busy until released.
constexpr int blocking_jobs = 64;

void block_until(const std::atomic<bool>* released) {
  while (!released->load()) std::this_thread::sleep_for(1ms);
}

aio::coro<> occupy_a_worker(const std::atomic<bool>* released) {
  co_await aio::to_thread(block_until, released);
}

aio::coro<> read_and_write_while_the_pool_is_blocked(std::filesystem::path dir) {
  auto f = co_await files::open(dir / "data.bin", "w+");  // open itself uses the pool: before blocking it
  std::atomic<bool> released{false};
  std::vector<aio::task<>> blockers;
  blockers.reserve(blocking_jobs);
  for (int i = 0; i < blocking_jobs; ++i) blockers.push_back(aio::create_task(occupy_a_worker(&released)));
  co_await aio::sleep(0s);

  std::exception_ptr failure;
  try {
    const std::string payload(1 << 20, 'q');
    co_await aio::wait_for(f.write(payload), 10s);
    co_await aio::wait_for(f.flush(), 10s);
    co_await aio::wait_for(f.seek(0), 10s);
    const std::string back = co_await aio::wait_for(f.read(), 10s);
    EXPECT_EQ(back.size(), payload.size());
    EXPECT_TRUE(back == payload);
  } catch (...) {
    failure = std::current_exception();
  }
  released = true;
  for (auto& b : blockers) co_await b;
  co_await f.close();
  if (failure) std::rethrow_exception(failure);
}

TEST(fs_ring_file_ops_threads, reads_and_writes_do_not_need_the_thread_pool_on_io_uring) {
  const fs_test::temp_dir dir;
  bool uring = false;
  aio_test::run([](bool* out) -> aio::coro<> {
    *out = std::string_view(aio::get_running_loop().backend_name()) == "io_uring";
    co_return;
  }(&uring));
  if (!uring) GTEST_SKIP() << "the loop runs on epoll: file I/O goes to the thread pool by design";
  aio_test::run(read_and_write_while_the_pool_is_blocked(dir.path()));
}

}  // namespace
