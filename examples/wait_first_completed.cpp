// wait(FIRST_COMPLETED, timeout=2.5): return as soon as one task is done, or when the time is up.
//
//     done, pending = await asyncio.wait(tasks, timeout=2.5, return_when=asyncio.FIRST_COMPLETED)
//
// Unlike wait_for, wait never throws on timeout and never cancels anything: what is not done comes
// back in `pending`, and the caller decides. Here the first call returns after 1 s with "fast" done;
// the second call on what is left times out after 2.5 s more, and main cancels "slow" itself.

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {
aio::coro<> work(std::chrono::seconds delay) { co_await aio::sleep(delay); }

template <class Tasks>
void show(std::ostream& out, const char* label, const Tasks& tasks) {
  out << label << ":";
  if (tasks.empty()) out << " (none)";
  for (const auto& t : tasks) out << " " << t.get_name();
  out << "\n";
}
}  // namespace

aio::coro<> wait_first_completed_main(std::ostream& out) {
  std::vector<aio::task<>> tasks;
  tasks.push_back(aio::create_task(work(1s), "fast"));
  tasks.push_back(aio::create_task(work(5s), "slow"));

  auto first = co_await aio::wait(tasks, aio::first_completed, 2500ms);
  out << "first wait returned\n";
  show(out, "  done", first.done);
  show(out, "  pending", first.pending);

  auto second = co_await aio::wait(first.pending, aio::first_completed, 2500ms);
  out << "second wait timed out\n";
  show(out, "  done", second.done);
  show(out, "  pending", second.pending);

  for (auto& t : second.pending) {
    out << "cancelling " << t.get_name() << "\n";
    t.cancel();
  }
  co_await aio::wait(second.pending);  // let the cancelled tasks wind down
}

#ifndef AIO_TOUR
int main() { aio::run(wait_first_completed_main(std::cout)); }
#endif
