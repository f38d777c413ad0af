// docs/guide/combinators.md: each block of the guide, completed into a coroutine that runs on virtual
// time (aio_test::run, which also proves nothing leaked) and checked for what the guide says it does.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<std::string> work(std::ostream& out, std::string name, std::chrono::seconds delay) {
  out << name << " ";
  co_await aio::sleep(delay);
  co_return name;
}

// ---- gather
aio::coro<std::string> gather_block(std::ostream& out) {
  auto [a, b, c] = co_await aio::gather(work(out, "A", 2s), work(out, "B", 1s), work(out, "C", 3s));
  co_return a + b + c;
}

TEST(DocCombinators, Gather) {
  std::ostringstream out;
  EXPECT_EQ(aio_test::run(gather_block(out)), "ABC");
  EXPECT_EQ(out.str(), "A B C ");  // started left to right
}

// ---- gather(return_exceptions)
aio::coro<int> ok(int value) {
  co_await aio::sleep(1s);
  co_return value;
}
aio::coro<int> broken(std::string name) {
  co_await aio::sleep(500ms);
  throw std::runtime_error(name + ": connection refused");
}
int used = 0;
void use(int value) { used = value; }

aio::coro<> return_exceptions_block() {
  // clang-format off
  auto [a, b, c] = co_await aio::gather(aio::return_exceptions, ok(1), broken("B"), ok(3));
  if (b.has_value()) use(b.value());            // value() rethrows when there is an error
  else std::rethrow_exception(b.error());       // a cancelled child holds an aio::cancelled_error
  // clang-format on
  (void)a;
  (void)c;
}

TEST(DocCombinators, ReturnExceptions) {
  // b failed: the block rethrows its error, after a and c ran to their end.
  EXPECT_THROW(aio_test::run(return_exceptions_block()), std::runtime_error);
  EXPECT_EQ(used, 0);
}

// ---- wait_for
aio::coro<> eternity(std::ostream& out) {
  co_await aio::sleep(std::chrono::hours(24));
  out << "never\n";
}

aio::coro<> wait_for_block(std::ostream& out) {
  try {
    co_await aio::wait_for(eternity(out), 1s);
  } catch (const aio::timeout_error&) {
    out << "timeout!\n";
  }
}

TEST(DocCombinators, WaitFor) {
  std::ostringstream out;
  aio_test::run(wait_for_block(out));
  EXPECT_EQ(out.str(), "timeout!\n");
}

// ---- timeout_at
int steps = 0;
aio::coro<> login() {
  co_await aio::sleep(4s);
  ++steps;
}
aio::coro<> download() {
  co_await aio::sleep(7s);  // 4 + 7 > 10: the shared deadline passes during this one
  ++steps;
}

aio::coro<> timeout_at_block() {
  const auto deadline = aio::get_running_loop().time() + 10s;
  co_await aio::timeout_at(deadline, login());
  co_await aio::timeout_at(deadline, download());
}

TEST(DocCombinators, TimeoutAt) {
  EXPECT_THROW(aio_test::run(timeout_at_block()), aio::timeout_error);
  EXPECT_EQ(steps, 1);
}

// ---- shield
aio::coro<std::string> critical_save(std::ostream& out) {
  co_await aio::sleep(2s);
  out << "saved ";
  co_return "done";
}

aio::coro<std::string> shield_block(std::ostream& out) {
  auto save = aio::create_task(critical_save(out), "save");
  // clang-format off
  try {
    co_await aio::wait_for(aio::shield(save), 1s);
  } catch (const aio::timeout_error&) { /* the save goes on */ }
  // clang-format on
  const std::string result = co_await save;
  co_return result;
}

TEST(DocCombinators, Shield) {
  std::ostringstream out;
  EXPECT_EQ(aio_test::run(shield_block(out)), "done");
  EXPECT_EQ(out.str(), "saved ");
}

// ---- wait
aio::coro<> nap(std::chrono::seconds d) { co_await aio::sleep(d); }

aio::coro<std::size_t> wait_block() {
  std::vector<aio::task<>> tasks;
  tasks.push_back(aio::create_task(nap(1s)));
  tasks.push_back(aio::create_task(nap(5s)));
  auto first = co_await aio::wait(tasks, aio::first_completed, 2500ms);
  for (auto& t : first.pending) t.cancel();
  co_await aio::wait(first.pending);
  co_return first.done.size();
}

TEST(DocCombinators, Wait) { EXPECT_EQ(aio_test::run(wait_block()), 1U); }

// ---- as_completed
aio::coro<std::string> named(std::string name, std::chrono::seconds delay) {
  co_await aio::sleep(delay);
  co_return name;
}

aio::coro<std::string> as_completed_block() {
  std::vector<aio::task<std::string>> tasks;
  tasks.push_back(aio::create_task(named("slow", 3s)));
  tasks.push_back(aio::create_task(named("fast", 1s)));
  std::string order;
  for (auto next : aio::as_completed(tasks)) {
    const std::string name = co_await next;  // the next one to finish; rethrows its failure
    order += name + " ";
  }
  co_return order;
}

TEST(DocCombinators, AsCompleted) { EXPECT_EQ(aio_test::run(as_completed_block()), "fast slow "); }

// ---- task_group
aio::coro<std::string> task_group_block(std::ostream& out) {
  aio::task<std::string> t1;
  aio::task<std::string> t2;
  co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
    t1 = tg.create_task(work(out, "download", 1s));
    t2 = tg.create_task(work(out, "resize", 2s));
    co_return;
  });  // every task of the group is done here
  co_return t1.result() + "+" + t2.result();
}

TEST(DocCombinators, TaskGroup) {
  std::ostringstream out;
  EXPECT_EQ(aio_test::run(task_group_block(out)), "download+resize");
}

// ---- exception_group and split
std::vector<std::string> reported;
void report(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    reported.emplace_back(x.what());
  }
}

aio::coro<> fail_with(std::exception_ptr e) {
  co_await aio::sleep(1s);
  std::rethrow_exception(e);
}

aio::coro<> split_block(std::vector<std::exception_ptr> failures) {
  auto body = [&](aio::task_group& tg) -> aio::coro<> {
    for (const auto& f : failures) tg.create_task(fail_with(f));
    co_return;
  };
  try {
    co_await aio::task_group::run(body);
  } catch (const aio::exception_group& eg) {
    for (const auto& e : eg.split<std::invalid_argument>()) report(e);
    if (eg.split<std::invalid_argument>().size() != eg.exceptions().size()) throw;
  }
}

TEST(DocCombinators, SplitHandlesItsOwnAndRethrowsTheRest) {
  const auto bad = std::make_exception_ptr(std::invalid_argument("bad value"));
  aio_test::run(split_block({bad, bad}));  // only invalid_argument: handled
  EXPECT_EQ(reported, (std::vector<std::string>{"bad value", "bad value"}));
  reported.clear();
  const auto other = std::make_exception_ptr(std::runtime_error("disk full"));
  EXPECT_THROW(aio_test::run(split_block({bad, other})), aio::exception_group);
  EXPECT_EQ(reported, std::vector<std::string>{"bad value"});
}

}  // namespace
