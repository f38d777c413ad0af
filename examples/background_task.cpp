// create_task in the background, and what happens when you comment out an await.
//
// main starts a background task, does a little work of its own (a 0.5 s sleep), then awaits the task.
// The three variants each comment out one or both of main's awaits:
//   - without `co_await task`: main returns at 0.5 s while the task still sleeps; aio::run (like
//     asyncio.run) then cancels the leftover task, which sees cancelled_error at its sleep;
//   - without main's sleep: the task only starts when main first suspends, at `co_await task`;
//   - without both: main never suspends, so the task never gets a turn — it is cancelled before its
//     first step and its body never runs.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>

using namespace std::chrono_literals;

namespace {
aio::coro<> background_job(std::ostream& out) {
  out << "background: started\n";
  try {
    co_await aio::sleep(1s);
  } catch (const aio::cancelled_error&) {
    out << "background: cancelled before it finished\n";
    throw;  // a cancelled task should end cancelled
  }
  out << "background: finished\n";
}
}  // namespace

// As written: ~1 s, everything prints.
aio::coro<> background_task_main(std::ostream& out) {
  auto task = aio::create_task(background_job(out), "background");
  out << "main: doing other work\n";
  co_await aio::sleep(500ms);
  out << "main: waiting for the background task\n";
  co_await task;
  out << "main: done\n";
}

// `co_await task` commented out: main is done at 0.5 s; the leftover task is cancelled.
aio::coro<> background_no_await_main(std::ostream& out) {
  auto task = aio::create_task(background_job(out), "background");
  out << "main: doing other work\n";
  co_await aio::sleep(500ms);
  out << "main: waiting for the background task\n";
  // co_await task;
  out << "main: done\n";
}

// main's sleep commented out: the task starts only when main suspends at `co_await task`.
aio::coro<> background_no_sleep_main(std::ostream& out) {
  auto task = aio::create_task(background_job(out), "background");
  out << "main: doing other work\n";
  // co_await aio::sleep(500ms);
  out << "main: waiting for the background task\n";
  co_await task;
  out << "main: done\n";
}

// Both commented out: main never yields to the loop, so the task never runs at all.
aio::coro<> background_no_awaits_main(std::ostream& out) {
  auto task = aio::create_task(background_job(out), "background");
  out << "main: doing other work\n";
  // co_await aio::sleep(500ms);
  out << "main: waiting for the background task\n";
  // co_await task;
  out << "main: done\n";
  co_return;
}

#ifndef AIO_TOUR
int main() {
  std::cout << "-- as written --\n";
  aio::run(background_task_main(std::cout));
  std::cout << "-- without `co_await task` --\n";
  aio::run(background_no_await_main(std::cout));
  std::cout << "-- without main's sleep --\n";
  aio::run(background_no_sleep_main(std::cout));
  std::cout << "-- without both --\n";
  aio::run(background_no_awaits_main(std::cout));
}
#endif
