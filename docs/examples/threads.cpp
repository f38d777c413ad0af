// docs/guide/threads.md: the guide's blocks, completed and run (aio_test::run checks that nothing
// leaked). The first block is examples/to_thread.cpp.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "test_support.hpp"

namespace {

// ---- lambdas with by-value captures: the spellings correct with every compiler
void work(int& counter) { ++counter; }
void work_on(std::shared_ptr<int> state) { ++*state; }

aio::coro<std::pair<int, std::weak_ptr<int>>> capture_spellings_main() {
  auto state = std::make_shared<int>(0);
  auto job = [state] { work(*state); };
  co_await aio::to_thread(job);                         // a named lambda, passed by name
  co_await aio::to_thread(work_on, state);              // the state as an argument
  co_await aio::to_thread([&state] { work(*state); });  // captured by reference
#if !AIO_GCC12_CAPTURE_CHECK
  co_await aio::to_thread([state] { work(*state); });  // inline: refused by g++ 12 only
#endif
  co_return std::pair{*state, std::weak_ptr<int>(state)};
}

TEST(DocThreads, CaptureSpellings) {
  const auto [calls, state] = aio_test::run(capture_spellings_main());
  EXPECT_EQ(calls, AIO_GCC12_CAPTURE_CHECK ? 3 : 4);
  // Every copy was released, once (a worker may drop its copy just after the co_await returns, but the
  // default executor's threads are joined when aio::run's loop closes).
  EXPECT_TRUE(state.expired());
}

// ---- run_in_executor
struct file_contents {
  std::string bytes;
};
std::size_t sha256(const file_contents& f) { return std::hash<std::string>{}(f.bytes); }  // a stand-in

aio::coro<bool> executor_main() {
  const file_contents part1{"some bytes"};
  const file_contents part2{"more bytes"};
  aio::thread_pool pool(4);
  aio::event_loop& loop = aio::get_running_loop();
  auto first = loop.run_in_executor(pool, sha256, std::ref(part1));   // running now
  auto second = loop.run_in_executor(pool, sha256, std::ref(part2));  // and so is this one
  const std::size_t a = co_await std::move(first);
  const std::size_t b = co_await std::move(second);
  pool.shutdown();
  co_return a == sha256(part1) && b == sha256(part2);
}

TEST(DocThreads, RunInExecutor) { EXPECT_TRUE(aio_test::run(executor_main())); }

// ---- run_coroutine_threadsafe
aio::coro<int> fetch_count() {
  co_await aio::sleep(std::chrono::milliseconds(10));
  co_return 7;
}

int count_from_another_thread(aio::event_loop& loop) {
  // on some other thread
  std::future<int> f = aio::run_coroutine_threadsafe(fetch_count(), loop);
  int n = f.get();  // blocks this thread, not the loop
  return n;
}

aio::coro<int> compute(int x) {
  co_await aio::sleep(std::chrono::milliseconds(10));
  co_return 2 * x;
}

aio::coro<int> threadsafe_main() {
  const int n = co_await aio::to_thread(count_from_another_thread, std::ref(aio::get_running_loop()));
  aio::event_loop& loop = aio::get_running_loop();
  int v = co_await aio::to_thread([&loop] { return aio::run_coroutine_threadsafe(compute(21), loop).get(); });
  co_return n + v;
}

TEST(DocThreads, RunCoroutineThreadsafe) { EXPECT_EQ(aio_test::run(threadsafe_main()), 7 + 42); }

}  // namespace
