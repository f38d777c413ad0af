#include "aio/sync/scoped.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/sync/condition.hpp"
#include "aio/sync/lock.hpp"
#include "aio/sync/semaphore.hpp"
#include "sync_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sync_test::turn;

namespace {

static_assert(!std::is_copy_constructible_v<aio::scoped_guard<aio::lock>>);
static_assert(std::is_nothrow_move_constructible_v<aio::scoped_guard<aio::lock>>);
static_assert(std::is_nothrow_move_assignable_v<aio::scoped_guard<aio::semaphore>>);
static_assert(aio::scoped_lockable<aio::lock>);
static_assert(aio::scoped_lockable<aio::semaphore>);
static_assert(aio::scoped_lockable<aio::bounded_semaphore>);
static_assert(aio::scoped_lockable<aio::condition>);
static_assert(!aio::scoped_lockable<int>);

TEST(scoped, lock_is_released_at_scope_exit) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    {
      auto held = co_await aio::scoped(lk);
      EXPECT_TRUE(lk.locked());
      EXPECT_TRUE(held.owns_lock());
      EXPECT_TRUE(static_cast<bool>(held));
    }
    EXPECT_FALSE(lk.locked());
  }());
}

TEST(scoped, lock_is_released_when_the_body_throws) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    try {
      auto held = co_await aio::scoped(lk);
      throw std::logic_error("boom");
    } catch (const std::logic_error&) {
      EXPECT_FALSE(lk.locked());
    }
    EXPECT_FALSE(lk.locked());
  }());
}

TEST(scoped, semaphore_permit_is_given_back) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(2);
    {
      auto a = co_await aio::scoped(s);
      auto b = co_await aio::scoped(s);
      EXPECT_EQ(s.value(), 0);
      EXPECT_TRUE(s.locked());
    }
    EXPECT_EQ(s.value(), 2);
    aio::bounded_semaphore bs(1);
    {
      auto held = co_await aio::scoped(bs);
      EXPECT_EQ(bs.value(), 0);
    }
    EXPECT_EQ(bs.value(), 1);  // released exactly once: a second release would have thrown
  }());
}

TEST(scoped, condition_lock_is_released) {
  sync_test::run([]() -> aio::coro<> {
    aio::condition cv;
    {
      auto held = co_await aio::scoped(cv);
      EXPECT_TRUE(cv.locked());
      cv.notify_all();
    }
    EXPECT_FALSE(cv.locked());
  }());
}

TEST(scoped, moving_transfers_the_release) {
  sync_test::run([]() -> aio::coro<> {
    aio::semaphore s(3);
    {
      auto a = co_await aio::scoped(s);
      EXPECT_EQ(s.value(), 2);
      aio::scoped_guard<aio::semaphore> b(std::move(a));
      EXPECT_FALSE(a.owns_lock());  // NOLINT(bugprone-use-after-move): checking the moved-from state
      EXPECT_TRUE(b.owns_lock());
      auto c = co_await aio::scoped(s);
      EXPECT_EQ(s.value(), 1);
      c = std::move(b);  // c's own permit is released, b's is adopted
      EXPECT_EQ(s.value(), 2);
      EXPECT_TRUE(c.owns_lock());
    }
    EXPECT_EQ(s.value(), 3);
  }());
}

TEST(scoped, unlock_releases_early_once) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    {
      auto held = co_await aio::scoped(lk);
      held.unlock();
      EXPECT_FALSE(lk.locked());
      EXPECT_FALSE(held.owns_lock());
      held.unlock();          // owns nothing: no-op
      co_await lk.acquire();  // someone else's acquisition is not touched by the guard
    }
    EXPECT_TRUE(lk.locked());
    lk.release();
  }());
}

TEST(scoped, adopting_an_existing_acquisition) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    co_await lk.acquire();
    { aio::scoped_guard<aio::lock> held(lk); }
    EXPECT_FALSE(lk.locked());
    aio::scoped_guard<aio::lock> empty;
    EXPECT_FALSE(empty.owns_lock());
  }());
}

TEST(scoped, waits_like_acquire_and_is_fifo) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    auto user = [](aio::lock& l, std::vector<std::string>& lg, std::string id) -> aio::coro<> {
      auto held = co_await aio::scoped(l);
      lg.push_back(id);
      co_await aio::sleep(1s);
    };
    auto a = aio::create_task(user(lk, log, "a"));
    auto b = aio::create_task(user(lk, log, "b"));
    auto c = aio::create_task(user(lk, log, "c"));
    co_await a;
    co_await b;
    co_await c;
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_FALSE(lk.locked());
  }());
}

TEST(scoped, cancelled_acquisition_holds_nothing) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto user = [](aio::lock& l, std::vector<std::string>& lg) -> aio::coro<> {
      auto held = co_await aio::scoped(l);
      lg.push_back("got it");
    };
    auto a = aio::create_task(user(lk, log));
    co_await turn();
    a.cancel();
    co_await turn();
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(lk.locked());  // still main's: the cancelled guard released nothing
    lk.release();
    EXPECT_FALSE(lk.locked());
    EXPECT_TRUE(log.empty());
  }());
}

TEST(scoped, cancelled_after_grant_holds_nothing_and_passes_it_on) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    std::vector<std::string> log;
    co_await lk.acquire();
    auto user = [](aio::lock& l, std::vector<std::string>& lg, std::string id) -> aio::coro<> {
      auto held = co_await aio::scoped(l);
      lg.push_back(id);
    };
    auto a = aio::create_task(user(lk, log, "a"));
    auto b = aio::create_task(user(lk, log, "b"));
    co_await turn();
    lk.release();
    a.cancel();
    co_await b;
    EXPECT_TRUE(a.cancelled());
    EXPECT_EQ(log, (std::vector<std::string>{"b"}));
    EXPECT_FALSE(lk.locked());
  }());
}

TEST(scoped, unlock_rethrows_a_failed_release) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    auto held = co_await aio::scoped(lk);
    lk.release();  // behind the guard's back
    EXPECT_THROW(held.unlock(), std::runtime_error);
    EXPECT_FALSE(held.owns_lock());
  }());
}

TEST(scoped, destructor_reports_a_failed_release_to_the_loop) {
  sync_test::run([]() -> aio::coro<> {
    aio::lock lk;
    {
      auto held = co_await aio::scoped(lk);
      lk.release();  // behind the guard's back: its release will throw
    }
    EXPECT_EQ(aio_test::reports().size(), 1U);
    if (!aio_test::reports().empty()) {
      EXPECT_NE(aio_test::reports()[0].message.find("scoped_guard"), std::string::npos);
      EXPECT_THROW(std::rethrow_exception(aio_test::reports()[0].exception), std::runtime_error);
    }
    aio_test::reports().clear();
  }());
}

}  // namespace
