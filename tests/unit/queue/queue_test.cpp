#include "aio/queue/queue.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../sync/sync_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sync_test::turn;

namespace {

using log_t = std::vector<std::string>;

aio::coro<> set_flag(bool& flag) {
  flag = true;
  co_return;
}

template <class Q>
aio::coro<> getter(Q& q, log_t& log, std::string id) {
  auto item = co_await q.get();
  log.push_back(id + ":" + item);
}

template <class Q>
aio::coro<> putter(Q& q, log_t& log, std::string item) {
  co_await q.put(item);
  log.push_back("put " + item);
}

// ---- behaviour shared by the three orders (CPython runs its join and shutdown tests on each) ----

template <class Q>
class any_queue : public ::testing::Test {};
using queue_kinds =
    ::testing::Types<aio::queue<std::string>, aio::lifo_queue<std::string>, aio::priority_queue<std::string>>;
TYPED_TEST_SUITE(any_queue, queue_kinds);

TYPED_TEST(any_queue, sizes_and_bounds) {
  TypeParam unbounded;
  EXPECT_EQ(unbounded.maxsize(), 0U);
  EXPECT_TRUE(unbounded.empty());
  EXPECT_FALSE(unbounded.full());
  for (int i = 0; i < 1000; ++i) unbounded.put_nowait("x");
  EXPECT_FALSE(unbounded.full());  // never full
  EXPECT_EQ(unbounded.qsize(), 1000U);

  TypeParam q(2);
  EXPECT_EQ(q.maxsize(), 2U);
  q.put_nowait("a");
  EXPECT_FALSE(q.empty());
  EXPECT_FALSE(q.full());
  q.put_nowait("b");
  EXPECT_TRUE(q.full());
  EXPECT_EQ(q.qsize(), 2U);
  EXPECT_THROW(q.put_nowait("c"), aio::queue_full);
  EXPECT_EQ(q.qsize(), 2U);
  q.get_nowait();
  q.get_nowait();
  EXPECT_TRUE(q.empty());
  EXPECT_THROW(q.get_nowait(), aio::queue_empty);
}

TYPED_TEST(any_queue, task_done_underflow_throws) {
  TypeParam q;
  EXPECT_THROW(q.task_done(), std::invalid_argument);
  q.put_nowait("a");
  q.get_nowait();
  q.task_done();
  EXPECT_THROW(q.task_done(), std::invalid_argument);
}

// CPython test_task_done: join() returns once every item was processed.
TYPED_TEST(any_queue, join_waits_for_every_task_done) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q;
    for (int i = 0; i < 100; ++i) q.put_nowait(std::to_string(i));
    int processed = 0;
    bool running = true;
    auto worker = [](TypeParam& qu, int& n, bool& run) -> aio::coro<> {
      while (run) {
        auto item = co_await qu.get();
        co_await aio::sleep(1ms);
        if (!item.empty()) ++n;
        qu.task_done();
      }
    };
    auto w1 = aio::create_task(worker(q, processed, running));
    auto w2 = aio::create_task(worker(q, processed, running));
    co_await q.join();
    EXPECT_EQ(processed, 100);
    running = false;
    q.put_nowait("");
    q.put_nowait("");
    co_await w1;
    co_await w2;
  }());
}

// CPython test_join_empty_queue.
TYPED_TEST(any_queue, join_on_an_idle_queue_returns_at_once) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q;
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    co_await q.join();
    co_await q.join();
    EXPECT_FALSE(other_ran);
    co_await t;
  }());
}

// CPython test_shutdown_empty.
TYPED_TEST(any_queue, shutdown_empty) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q;
    log_t log;
    auto g = aio::create_task(getter(q, log, "g"));
    co_await turn();
    q.shutdown();
    EXPECT_EQ(q.qsize(), 0U);
    co_await q.join();
    co_await turn();
    EXPECT_TRUE(g.done());
    EXPECT_THROW(g.result(), aio::queue_shut_down);
    bool threw = false;
    try {
      co_await q.put("data");
    } catch (const aio::queue_shut_down&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    EXPECT_THROW(q.put_nowait("data"), aio::queue_shut_down);
    threw = false;
    try {
      (void)co_await q.get();
    } catch (const aio::queue_shut_down&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    EXPECT_THROW(q.get_nowait(), aio::queue_shut_down);
    EXPECT_TRUE(log.empty());
  }());
}

// CPython test_shutdown_nonempty: items left can still be taken; puts fail.
TYPED_TEST(any_queue, shutdown_nonempty) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q(1);
    log_t log;
    q.put_nowait("data");
    auto joiner = [](TypeParam& qu) -> aio::coro<> { co_await qu.join(); };
    auto join_task = aio::create_task(joiner(q));
    auto put_task = aio::create_task(putter(q, log, "data2"));
    co_await turn();
    EXPECT_FALSE(put_task.done());
    q.shutdown();
    EXPECT_EQ(q.qsize(), 1U);
    co_await turn();
    EXPECT_TRUE(put_task.done());
    EXPECT_THROW(put_task.result(), aio::queue_shut_down);
    EXPECT_EQ(co_await q.get(), "data");
    co_await turn();
    EXPECT_FALSE(join_task.done());
    EXPECT_THROW(q.put_nowait("data"), aio::queue_shut_down);
    EXPECT_THROW(q.get_nowait(), aio::queue_shut_down);
    q.task_done();
    co_await turn();
    EXPECT_TRUE(join_task.done());
    co_await join_task;
    EXPECT_THROW(q.task_done(), std::invalid_argument);
    EXPECT_TRUE(log.empty());
  }());
}

// CPython test_shutdown_immediate: the items are dropped and join() returns.
TYPED_TEST(any_queue, shutdown_immediate) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q;
    q.put_nowait("data");
    auto joiner = [](TypeParam& qu) -> aio::coro<> { co_await qu.join(); };
    auto join_task = aio::create_task(joiner(q));
    co_await turn();
    EXPECT_FALSE(join_task.done());
    q.shutdown(true);
    EXPECT_EQ(q.qsize(), 0U);
    co_await turn();
    EXPECT_TRUE(join_task.done());
    co_await join_task;
    EXPECT_THROW(q.put_nowait("data"), aio::queue_shut_down);
    EXPECT_THROW(q.get_nowait(), aio::queue_shut_down);
    EXPECT_THROW(q.task_done(), std::invalid_argument);
  }());
}

// CPython test_shutdown_immediate_with_unfinished: an item already taken still counts.
TYPED_TEST(any_queue, shutdown_immediate_with_unfinished) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q;
    q.put_nowait("data");
    q.put_nowait("data");
    auto joiner = [](TypeParam& qu) -> aio::coro<> { co_await qu.join(); };
    auto join_task = aio::create_task(joiner(q));
    EXPECT_EQ(co_await q.get(), "data");
    q.shutdown(true);
    EXPECT_EQ(q.qsize(), 0U);
    co_await turn();
    EXPECT_FALSE(join_task.done());
    q.task_done();
    EXPECT_THROW(q.task_done(), std::invalid_argument);
    co_await turn();
    EXPECT_TRUE(join_task.done());
    co_await join_task;
  }());
}

TYPED_TEST(any_queue, shutdown_wakes_every_getter_and_putter) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam empty;
    TypeParam full(1);
    full.put_nowait("f");
    log_t log;
    std::vector<aio::task<>> getters;
    std::vector<aio::task<>> putters;
    for (int i = 0; i < 3; ++i) getters.push_back(aio::create_task(getter(empty, log, "g")));
    for (int i = 0; i < 3; ++i) putters.push_back(aio::create_task(putter(full, log, "p")));
    co_await turn();
    empty.shutdown();
    full.shutdown();
    co_await turn();
    for (auto& t : getters) EXPECT_THROW(t.result(), aio::queue_shut_down);
    for (auto& t : putters) EXPECT_THROW(t.result(), aio::queue_shut_down);
    EXPECT_EQ(full.get_nowait(), "f");  // what was in stays available
    EXPECT_TRUE(log.empty());
  }());
}

TYPED_TEST(any_queue, shutdown_lets_waiting_getters_drain_what_is_left) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q;
    log_t log;
    auto g1 = aio::create_task(getter(q, log, "1"));
    auto g2 = aio::create_task(getter(q, log, "2"));
    co_await turn();
    q.put_nowait("x");  // wakes g1
    q.shutdown();       // wakes g2: it finds the queue empty (x is g1's) and throws
    co_await turn();
    EXPECT_EQ(log, (log_t{"1:x"}));
    EXPECT_THROW(g2.result(), aio::queue_shut_down);
    co_await g1;
  }());
}

TYPED_TEST(any_queue, shutdown_immediate_wakes_getters_to_throw) {
  sync_test::run([]() -> aio::coro<> {
    TypeParam q;
    log_t log;
    auto g1 = aio::create_task(getter(q, log, "1"));
    co_await turn();
    q.put_nowait("x");  // wakes g1 ...
    q.shutdown(true);   // ... but the item is dropped before it runs
    co_await turn();
    EXPECT_THROW(g1.result(), aio::queue_shut_down);
    EXPECT_TRUE(log.empty());
  }());
}

TYPED_TEST(any_queue, move_only_items) {
  sync_test::run([]() -> aio::coro<> {
    using P = std::unique_ptr<int>;
    typename std::conditional_t<std::is_same_v<TypeParam, aio::queue<std::string>>, aio::queue<P>,
                                std::conditional_t<std::is_same_v<TypeParam, aio::lifo_queue<std::string>>,
                                                   aio::lifo_queue<P>, aio::priority_queue<P>>>
        q(1);
    co_await q.put(std::make_unique<int>(7));
    P p = co_await q.get();
    EXPECT_EQ(*p, 7);
    q.put_nowait(std::make_unique<int>(8));
    EXPECT_EQ(*q.get_nowait(), 8);
  }());
}

// ---- order -----------------------------------------------------------------------------------

TEST(queue, fifo_order) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q;
    for (int i : {1, 3, 2}) co_await q.put(i);
    std::vector<int> out;
    for (int i = 0; i < 3; ++i) out.push_back(co_await q.get());
    EXPECT_EQ(out, (std::vector<int>{1, 3, 2}));
  }());
}

TEST(lifo_queue, last_in_first_out) {
  sync_test::run([]() -> aio::coro<> {
    aio::lifo_queue<int> q;
    for (int i : {1, 3, 2}) co_await q.put(i);
    std::vector<int> out;
    for (int i = 0; i < 3; ++i) out.push_back(co_await q.get());
    EXPECT_EQ(out, (std::vector<int>{2, 3, 1}));
  }());
}

TEST(priority_queue, smallest_first) {
  sync_test::run([]() -> aio::coro<> {
    aio::priority_queue<int> q;
    for (int i : {5, 1, 4, 1, 3, 9, 2}) co_await q.put(i);
    std::vector<int> out;
    while (!q.empty()) out.push_back(co_await q.get());
    EXPECT_EQ(out, (std::vector<int>{1, 1, 2, 3, 4, 5, 9}));
  }());
}

TEST(priority_queue, pairs_order_by_priority_then_value) {
  aio::priority_queue<std::pair<int, std::string>> q;
  q.put_nowait({2, "b"});
  q.put_nowait({1, "z"});
  q.put_nowait({2, "a"});
  EXPECT_EQ(q.get_nowait(), (std::pair<int, std::string>{1, "z"}));
  EXPECT_EQ(q.get_nowait(), (std::pair<int, std::string>{2, "a"}));
  EXPECT_EQ(q.get_nowait(), (std::pair<int, std::string>{2, "b"}));
}

TEST(priority_queue, custom_and_stateful_comparators) {
  aio::priority_queue<int, std::greater<int>> largest_first;
  for (int i : {1, 3, 2}) largest_first.put_nowait(i);
  EXPECT_EQ(largest_first.get_nowait(), 3);
  EXPECT_EQ(largest_first.get_nowait(), 2);

  struct by_distance {
    int target = 0;
    bool operator()(int a, int b) const { return std::abs(a - target) < std::abs(b - target); }
  };
  aio::priority_queue<int, by_distance> nearest(0, by_distance{10});
  for (int i : {1, 12, 30, 9}) nearest.put_nowait(i);
  EXPECT_EQ(nearest.get_nowait(), 9);   // 1 away from 10
  EXPECT_EQ(nearest.get_nowait(), 12);  // 2 away
  EXPECT_EQ(nearest.get_nowait(), 1);
  EXPECT_EQ(nearest.get_nowait(), 30);
}

// ---- waiting ---------------------------------------------------------------------------------

TEST(queue, get_with_an_item_does_not_yield) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q;
    q.put_nowait(1);
    bool other_ran = false;
    auto t = aio::create_task(set_flag(other_ran));
    EXPECT_EQ(co_await q.get(), 1);
    co_await q.put(2);  // unbounded: never waits
    EXPECT_FALSE(other_ran);
    co_await t;
  }());
}

// CPython test_blocking_get_wait.
TEST(queue, get_waits_for_a_put) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    const auto start = aio::get_running_loop().time();
    auto g = aio::create_task(getter(q, log, "g"));
    co_await turn();
    EXPECT_FALSE(g.done());
    auto h = aio::get_running_loop().call_later(10ms, [&q] { q.put_nowait("1"); });
    co_await g;
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.01);
    EXPECT_EQ(log, (log_t{"g:1"}));
  }());
}

// CPython test_maxsize / test_blocking_put_wait: a bounded put waits for room.
TEST(queue, put_waits_for_room) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q(2);
    std::vector<int> put;
    auto producer = [](aio::queue<int>& qu, std::vector<int>& done) -> aio::coro<> {
      for (int i = 0; i < 3; ++i) {
        co_await qu.put(i);
        done.push_back(i);
      }
    };
    auto t = aio::create_task(producer(q, put));
    co_await turn();
    co_await turn();
    EXPECT_EQ(put, (std::vector<int>{0, 1}));  // blocked on the third
    EXPECT_EQ(co_await q.get(), 0);
    co_await turn();
    EXPECT_EQ(put, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(co_await q.get(), 1);
    EXPECT_EQ(co_await q.get(), 2);
    EXPECT_TRUE(t.done());
  }());
}

TEST(queue, getters_are_served_in_order) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    std::vector<aio::task<>> ts;
    for (int i = 0; i < 5; ++i) ts.push_back(aio::create_task(getter(q, log, std::to_string(i))));
    co_await turn();
    for (std::string s : {"a", "b", "c", "d", "e"}) q.put_nowait(s);
    for (auto& t : ts) co_await t;
    EXPECT_EQ(log, (log_t{"0:a", "1:b", "2:c", "3:d", "4:e"}));
  }());
}

// CPython test_get_with_waiting_putters: putters are served in order as room appears.
TEST(queue, putters_are_served_in_order) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q(1);
    log_t log;
    auto a = aio::create_task(putter(q, log, "a"));
    auto b = aio::create_task(putter(q, log, "b"));
    auto c = aio::create_task(putter(q, log, "c"));
    EXPECT_EQ(co_await q.get(), "a");
    EXPECT_EQ(co_await q.get(), "b");
    EXPECT_EQ(co_await q.get(), "c");
    co_await a;
    co_await b;
    co_await c;
    EXPECT_EQ(log, (log_t{"put a", "put b", "put c"}));
  }());
}

// CPython test_why_are_getters_waiting / test_why_are_putters_waiting.
TEST(queue, producer_and_consumer_through_a_small_queue) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q(1);
    std::vector<int> got;
    auto producer = [](aio::queue<int>& qu) -> aio::coro<> {
      for (int i = 0; i < 50; ++i) co_await qu.put(i);
    };
    auto consumer = [](aio::queue<int>& qu, std::vector<int>& out) -> aio::coro<> {
      for (int i = 0; i < 50; ++i) out.push_back(co_await qu.get());
    };
    auto p = aio::create_task(producer(q));
    auto c = aio::create_task(consumer(q, got));
    co_await p;
    co_await c;
    std::vector<int> want;
    for (int i = 0; i < 50; ++i) want.push_back(i);
    EXPECT_EQ(got, want);

    aio::queue<int> q2(2);
    auto drainer = [](aio::queue<int>& qu) -> aio::coro<> {
      co_await aio::sleep(0s);
      const std::size_t n = qu.qsize();
      for (std::size_t i = 0; i < n; ++i) qu.get_nowait();
    };
    auto put1 = [](aio::queue<int>& qu, int v) -> aio::coro<> { co_await qu.put(v); };
    auto d = aio::create_task(drainer(q2));
    std::vector<aio::task<>> ps;
    for (int i = 0; i < 4; ++i) ps.push_back(aio::create_task(put1(q2, i)));
    co_await d;
    for (auto& t : ps) co_await t;
    EXPECT_EQ(q2.qsize(), 2U);
  }());
}

// ---- cancellation ----------------------------------------------------------------------------

// CPython test_get_cancelled_race.
TEST(queue, cancelled_getter_takes_nothing) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    auto t1 = aio::create_task(getter(q, log, "1"));
    auto t2 = aio::create_task(getter(q, log, "2"));
    co_await turn();
    t1.cancel();
    co_await turn();
    EXPECT_TRUE(t1.cancelled());
    co_await q.put("a");
    co_await t2;
    EXPECT_EQ(log, (log_t{"2:a"}));
    EXPECT_TRUE(q.empty());
  }());
}

// CPython test_get_cancel_drop_one_pending_reader: woken, cancelled before running: the item stays.
TEST(queue, getter_cancelled_after_wake_leaves_the_item) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    auto reader = aio::create_task(getter(q, log, "r"));
    co_await turn();
    q.put_nowait("1");
    q.put_nowait("2");
    reader.cancel();
    co_await turn();
    EXPECT_TRUE(reader.cancelled());
    EXPECT_EQ(co_await q.get(), "1");  // if this were "2", an item was dropped
    EXPECT_EQ(q.qsize(), 1U);
  }());
}

// CPython test_get_cancel_drop_many_pending_readers: the wake-up goes to the next reader.
TEST(queue, getter_cancelled_after_wake_passes_the_wake_up_on) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    auto r1 = aio::create_task(getter(q, log, "1"));
    auto r2 = aio::create_task(getter(q, log, "2"));
    auto r3 = aio::create_task(getter(q, log, "3"));
    co_await turn();
    q.put_nowait("a");  // wakes r1
    q.put_nowait("b");  // wakes r2
    r1.cancel();
    co_await r2;
    co_await r3;
    EXPECT_TRUE(r1.cancelled());
    EXPECT_EQ(log, (log_t{"2:a", "3:b"}));
    EXPECT_TRUE(q.empty());
  }());
}

// CPython test_put_cancel_drop: a cancelled put adds nothing.
TEST(queue, cancelled_putter_adds_nothing) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q(1);
    log_t log;
    q.put_nowait("1");
    auto writer = aio::create_task(putter(q, log, "2"));
    co_await turn();
    EXPECT_EQ(q.get_nowait(), "1");  // wakes the writer ...
    writer.cancel();                 // ... which is cancelled before it runs
    co_await turn();
    EXPECT_TRUE(writer.cancelled());
    EXPECT_EQ(q.qsize(), 0U);
    co_await q.put("2");
    EXPECT_EQ(q.get_nowait(), "2");
    EXPECT_EQ(q.qsize(), 0U);
    EXPECT_TRUE(log.empty());
  }());
}

// CPython test_put_cancelled_race.
TEST(queue, cancelled_putter_is_skipped) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q(1);
    log_t log;
    auto a = aio::create_task(putter(q, log, "a"));
    auto b = aio::create_task(putter(q, log, "b"));
    auto c = aio::create_task(putter(q, log, "X"));
    co_await turn();
    EXPECT_TRUE(a.done());
    EXPECT_FALSE(b.done());
    c.cancel();
    co_await turn();
    EXPECT_TRUE(c.cancelled());
    EXPECT_EQ(q.get_nowait(), "a");
    co_await turn();
    EXPECT_EQ(q.get_nowait(), "b");
    co_await b;
    EXPECT_TRUE(q.empty());
  }());
}

TEST(queue, putter_cancelled_after_wake_passes_the_room_on) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q(1);
    log_t log;
    q.put_nowait("0");
    auto p1 = aio::create_task(putter(q, log, "1"));
    auto p2 = aio::create_task(putter(q, log, "2"));
    co_await turn();
    EXPECT_EQ(q.get_nowait(), "0");  // room for one: wakes p1
    p1.cancel();                     // p1 cannot use it: p2 must get it
    co_await p2;
    EXPECT_TRUE(p1.cancelled());
    EXPECT_EQ(log, (log_t{"put 2"}));
    EXPECT_EQ(q.get_nowait(), "2");
  }());
}

// CPython test_cancelled_getters_not_being_held_in_self_getters: a timeout (cancel from another task).
TEST(queue, get_timeout_by_cancel_from_another_task) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q(5);
    log_t log;
    const auto start = aio::get_running_loop().time();
    auto g = aio::create_task(getter(q, log, "g"));
    auto timer = aio::create_task(sync_test::cancel_after(g, 100ms));
    const bool cancelled = co_await aio_test::was_cancelled(g);
    EXPECT_TRUE(cancelled) << "the getter should have been cancelled";
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 0.1);
    co_await timer;
    q.put_nowait("x");  // nobody is left waiting: it stays
    co_await turn();
    EXPECT_EQ(q.qsize(), 1U);
    EXPECT_TRUE(log.empty());
  }());
}

// CPython test_cancelled_puts_not_being_held_in_self_putters.
TEST(queue, put_timeout_by_cancel_from_another_task) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q(1);
    log_t log;
    q.put_nowait("1");
    auto p = aio::create_task(putter(q, log, "2"));
    auto timer = aio::create_task(sync_test::cancel_after(p, 1s));
    const bool cancelled = co_await aio_test::was_cancelled(p);
    EXPECT_TRUE(cancelled) << "the putter should have been cancelled";
    co_await timer;
    EXPECT_EQ(q.get_nowait(), "1");
    co_await turn();
    EXPECT_TRUE(q.empty());  // no putter left to fill the room
    EXPECT_TRUE(log.empty());
  }());
}

TEST(queue, join_cancelled_by_another_task_loses_nothing) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q;
    q.put_nowait(1);
    auto joiner = [](aio::queue<int>& qu) -> aio::coro<> { co_await qu.join(); };
    auto j1 = aio::create_task(joiner(q));
    auto j2 = aio::create_task(joiner(q));
    auto timer = aio::create_task(sync_test::cancel_after(j1, 1s));
    co_await aio::sleep(2s);
    EXPECT_TRUE(j1.cancelled());
    EXPECT_FALSE(j2.done());
    q.get_nowait();
    q.task_done();
    co_await j2;
    co_await timer;
  }());
}

TEST(queue, pending_cancel_is_delivered_before_waiting) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> full(1);
    aio::queue<int> empty;
    full.put_nowait(1);
    auto self_cancel_put = [](aio::queue<int>& qu) -> aio::coro<> {
      aio::current_task().cancel();
      co_await qu.put(2);
    };
    auto self_cancel_get = [](aio::queue<int>& qu) -> aio::coro<> {
      aio::current_task().cancel();
      (void)co_await qu.get();
    };
    auto p = aio::create_task(self_cancel_put(full));
    auto g = aio::create_task(self_cancel_get(empty));
    co_await turn();
    EXPECT_TRUE(p.cancelled());
    EXPECT_TRUE(g.cancelled());
    EXPECT_EQ(full.get_nowait(), 1);
    EXPECT_TRUE(full.empty());  // 2 was never added
    empty.put_nowait(3);
    co_await turn();
    EXPECT_EQ(empty.qsize(), 1U);  // nobody was left waiting to take it
  }());
}

TEST(queue, uncancel_after_withdrawal_still_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    auto g = aio::create_task(getter(q, log, "g"));
    co_await turn();
    g.cancel();
    g.uncancel();
    co_await turn();
    EXPECT_TRUE(g.cancelled());
    q.put_nowait("x");
    EXPECT_EQ(q.qsize(), 1U);
    EXPECT_TRUE(log.empty());
  }());
}

// ---- an item taken by a task that never waited ---------------------------------------------

// asyncio lets get()/get_nowait() take an item a woken getter was woken for; aio too, but the getter
// then waits again in its old place (asyncio sends it to the back).
TEST(queue, robbed_getter_keeps_its_place) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    auto g1 = aio::create_task(getter(q, log, "1"));
    co_await turn();
    auto g2 = aio::create_task(getter(q, log, "2"));
    co_await turn();
    q.put_nowait("a");               // wakes g1
    EXPECT_EQ(q.get_nowait(), "a");  // but main takes it first
    co_await turn();                 // g1 finds nothing and waits again, still first
    EXPECT_TRUE(log.empty());
    q.put_nowait("b");
    q.put_nowait("c");
    co_await g1;
    co_await g2;
    EXPECT_EQ(log, (log_t{"1:b", "2:c"}));
  }());
}

TEST(queue, robbed_putter_keeps_its_place) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q(1);
    log_t log;
    q.put_nowait("0");
    auto p1 = aio::create_task(putter(q, log, "1"));
    co_await turn();
    auto p2 = aio::create_task(putter(q, log, "2"));
    co_await turn();
    EXPECT_EQ(q.get_nowait(), "0");  // wakes p1
    q.put_nowait("main");            // main fills the room first
    co_await turn();                 // p1 waits again, still first
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(q.get_nowait(), "main");
    co_await turn();
    EXPECT_EQ(q.get_nowait(), "1");
    co_await turn();
    EXPECT_EQ(q.get_nowait(), "2");
    co_await p1;
    co_await p2;
    EXPECT_EQ(log, (log_t{"put 1", "put 2"}));
  }());
}

TEST(queue, several_robbed_getters_keep_their_order) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<std::string> q;
    log_t log;
    std::vector<aio::task<>> ts;
    for (int i = 0; i < 4; ++i) {
      ts.push_back(aio::create_task(getter(q, log, std::to_string(i))));
      co_await turn();
    }
    q.put_nowait("a");
    q.put_nowait("b");  // wakes 0 and 1
    q.get_nowait();
    q.get_nowait();   // both robbed
    co_await turn();  // 0 and 1 wait again, before 2 and 3
    for (std::string s : {"w", "x", "y", "z"}) q.put_nowait(s);
    for (auto& t : ts) co_await t;
    EXPECT_EQ(log, (log_t{"0:w", "1:x", "2:y", "3:z"}));
  }());
}

TEST(queue, get_and_put_outside_a_task_throw) {
  aio::queue<int> q(1);
  auto g = sync_test::await_outside([&] { return q.get(); });
  EXPECT_THROW(g.rethrow(), std::runtime_error);
  q.put_nowait(1);
  auto p = sync_test::await_outside([&] { return q.put(2); });
  EXPECT_THROW(p.rethrow(), std::runtime_error);
  EXPECT_EQ(q.qsize(), 1U);
}

// ---- with the combinators ------------------------------------------------------------------

TEST(queue, wait_for_timeout_on_get_takes_nothing) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q;
    bool timed_out = false;
    try {
      (void)co_await aio::wait_for(q.get(), 1s);
    } catch (const aio::timeout_error&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    q.put_nowait(1);
    co_await turn();
    EXPECT_EQ(q.qsize(), 1U);
    EXPECT_EQ(co_await aio::wait_for(q.get(), 1s), 1);
  }());
}

TEST(queue, wait_for_timeout_on_put_adds_nothing) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q(1);
    q.put_nowait(1);
    bool timed_out = false;
    try {
      co_await aio::wait_for(q.put(2), 1s);
    } catch (const aio::timeout_error&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_EQ(q.get_nowait(), 1);
    co_await turn();
    EXPECT_TRUE(q.empty());
  }());
}

TEST(queue, gather_of_gets) {
  sync_test::run([]() -> aio::coro<> {
    aio::queue<int> q;
    auto producer = [](aio::queue<int>& qu) -> aio::coro<> {
      co_await aio::sleep(1s);
      qu.put_nowait(1);
      qu.put_nowait(2);
    };
    auto p = aio::create_task(producer(q));
    auto [a, b] = co_await aio::gather(q.get(), q.get());
    EXPECT_EQ(a + b, 3);
    EXPECT_NE(a, b);
    co_await p;
  }());
}

// A getter woken (its re-examination pending) when the loop closes is dropped cleanly, and the next
// loop on this thread is not confused by it.
TEST(queue, waiter_destroyed_with_a_pending_recheck_at_loop_close) {
  aio::queue<int> q;
  {
    aio::event_loop loop;
    loop.set_exception_handler([](aio::event_loop&, const aio::exception_context&) {});
    bool put = false;
    auto get_one = [](aio::queue<int>& qu) -> aio::coro<> {
      (void)co_await qu.get();
      ADD_FAILURE() << "the getter ran after the loop closed";
    };
    auto put_one = [](aio::queue<int>& qu, bool& done) -> aio::coro<> {
      co_await aio::sleep(0s);
      qu.put_nowait(7);  // wakes the getter for the next iteration ...
      done = true;       // ... which never comes
      co_return;
    };
    (void)loop.create_task(get_one(q));
    (void)loop.create_task(put_one(q, put));
    loop.run_until([&] { return put; });
    loop.close();
  }
  EXPECT_EQ(q.qsize(), 1U);
  sync_test::run([](aio::queue<int>& qu) -> aio::coro<> {
    auto g = aio::create_task([](aio::queue<int>& x) -> aio::coro<int> { co_return co_await x.get(); }(qu));
    EXPECT_EQ(co_await g, 7);
    auto h = aio::create_task([](aio::queue<int>& x) -> aio::coro<int> { co_return co_await x.get(); }(qu));
    co_await turn();
    qu.put_nowait(8);
    EXPECT_EQ(co_await h, 8);
  }(q));
}

}  // namespace
