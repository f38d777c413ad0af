// asyncio docs, "Lock": async with lock: protects a read-modify-write across an await.
//
//     async with lock:
//         balance = account.balance
//         await asyncio.sleep(0)
//         account.balance = balance + amount
#include <aio/aio.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

struct account {
  int balance = 0;
};

aio::coro<> deposit(account& acc, aio::lock& lock, int amount) {
  auto held = co_await aio::scoped(lock);
  int balance = acc.balance;
  co_await aio::sleep(std::chrono::milliseconds(0));
  acc.balance = balance + amount;
}

aio::coro<> main_() {
  account acc;
  aio::lock lock;
  std::vector<aio::coro<>> deposits;
  for (int i = 0; i < 100; ++i) deposits.push_back(deposit(acc, lock, 10));
  co_await aio::gather(std::move(deposits));
  if (acc.balance != 1000) throw std::runtime_error("lost updates: " + std::to_string(acc.balance));
  if (lock.locked()) throw std::runtime_error("the lock was not released");
}

int main() { aio::run(main_()); }
