// The credit/debit race, and its fix with a lock.
//
//     async def credit():
//         global balance
//         current = balance           # read
//         await asyncio.sleep(0.1)    # e.g. a database round trip
//         balance = current + 1       # write back
//
// One thread, yet a race: every await is a point where another task may run. Five credits and five
// debits should leave the balance at 0, but each reads the balance before the others have written
// it back, so most updates are lost. Holding a lock from the read to the write makes each update
// whole again; they then run one at a time (10 x 0.1 s).

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>
#include <vector>

using namespace std::chrono_literals;

namespace {
aio::coro<> update(int& balance, int amount) {
  const int current = balance;
  co_await aio::sleep(100ms);
  balance = current + amount;
}

aio::coro<> locked_update(aio::lock& lock, int& balance, int amount) {
  auto held = co_await aio::scoped(lock);  // released when `held` goes out of scope
  const int current = balance;
  co_await aio::sleep(100ms);
  balance = current + amount;
}
}  // namespace

// Without a lock: five credits and five debits, interleaved, all read 0.
aio::coro<> race_main(std::ostream& out) {
  int balance = 0;
  std::vector<aio::task<>> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(aio::create_task(update(balance, +1)));  // credit
    tasks.push_back(aio::create_task(update(balance, -1)));  // debit
  }
  for (auto& t : tasks) co_await t;
  out << "without a lock: balance " << balance << " (should be 0: lost updates)\n";
}

// With a lock around each read-modify-write.
aio::coro<> race_fixed_main(std::ostream& out) {
  int balance = 0;
  aio::lock lock;
  std::vector<aio::task<>> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(aio::create_task(locked_update(lock, balance, +1)));  // credit
    tasks.push_back(aio::create_task(locked_update(lock, balance, -1)));  // debit
  }
  for (auto& t : tasks) co_await t;
  out << "with a lock: balance " << balance << "\n";
}

#ifndef AIO_TOUR
int main() {
  aio::run(race_main(std::cout));
  aio::run(race_fixed_main(std::cout));
}
#endif
