#include "aio/task/task.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

aio::coro<int> add(int a, int b) {
  co_await aio::sleep(0s);
  co_return a + b;
}

aio::coro<> append_after(std::vector<std::string>* log, std::string what, int yields) {
  for (int i = 0; i < yields; ++i) co_await aio::sleep(0s);
  log->push_back(std::move(what));
}

aio::coro<int> fail_after_yield() {
  co_await aio::sleep(0s);
  throw std::runtime_error("boom");
}

TEST(task, create_task_runs_and_returns) {
  auto r = aio_test::run([]() -> aio::coro<int> {
    auto t = aio::create_task(add(1, 2));
    EXPECT_FALSE(t.done());
    int v = co_await t;
    EXPECT_TRUE(t.done());
    EXPECT_EQ(t.result(), 3);
    co_return v;
  }());
  EXPECT_EQ(r, 3);
}

TEST(task, tasks_start_in_creation_order_on_the_next_iteration) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    auto a = aio::create_task(append_after(log, "a", 0));
    auto b = aio::create_task(append_after(log, "b", 0));
    log->push_back("main");  // create_task does not run the body now
    co_await a;
    co_await b;
  }(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"main", "a", "b"}));
}

TEST(task, eager_task_runs_until_its_first_suspension) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    auto t = aio::create_task(
        [](std::vector<std::string>* log) -> aio::coro<> {
          log->push_back("eager-start");
          co_await aio::sleep(0s);
          log->push_back("eager-end");
        }(log),
        aio::task_options{.name = "eager", .eager = true});
    log->push_back("main");
    EXPECT_EQ(t.get_name(), "eager");
    co_await t;
  }(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"eager-start", "main", "eager-end"}));
}

TEST(task, dropped_handle_neither_cancels_nor_leaks_the_task) {
  std::vector<std::string> log;
  aio_test::run([](std::vector<std::string>* log) -> aio::coro<> {
    { (void)aio::create_task(append_after(log, "background", 3)); }
    for (int i = 0; i < 5; ++i) co_await aio::sleep(0s);
  }(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"background"}));
}

TEST(task, exception_is_rethrown_to_every_awaiter_and_by_result) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(fail_after_yield());
    EXPECT_THROW(co_await t, std::runtime_error);
    EXPECT_THROW(co_await t, std::runtime_error);  // a done task can be awaited again
    EXPECT_THROW((void)t.result(), std::runtime_error);
    EXPECT_NE(t.exception(), nullptr);
  }());
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(task, result_before_done_is_an_invalid_state) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(add(1, 1));
    EXPECT_THROW((void)t.result(), aio::invalid_state_error);
    EXPECT_THROW((void)t.exception(), aio::invalid_state_error);
    co_await t;
  }());
}

TEST(task, never_retrieved_exception_is_reported_with_the_task_name) {
  aio_test::run(
      []() -> aio::coro<> {
        { (void)aio::create_task(fail_after_yield(), "doomed"); }
        for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
      }(),
      {.expected_reports = 1});
  ASSERT_EQ(aio_test::reports().size(), 1U);
  EXPECT_EQ(aio_test::reports()[0].message, "Task exception was never retrieved");
  EXPECT_EQ(aio_test::reports()[0].task_name, "doomed");
}

TEST(task, names_default_to_task_n_and_can_be_changed) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(add(1, 1));
    EXPECT_EQ(t.get_name().rfind("Task-", 0), 0U);
    t.set_name("renamed");
    EXPECT_EQ(t.get_name(), "renamed");
    EXPECT_EQ(aio::current_task().get_name(), "main");
    co_await t;
  }());
}

TEST(task, create_task_with_an_empty_brace_list_means_no_name) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(add(2, 2), {});  // was ambiguous: std::string or task_options
    EXPECT_EQ(t.get_name().rfind("Task-", 0), 0U);
    auto named = aio::create_task(add(1, 2), "x");
    auto opts = aio::create_task(add(1, 3), aio::task_options{.name = "y", .eager = false});
    std::string s = "z";
    auto from_string = aio::create_task(add(1, 4), s);
    // Designated options: the options overload (g++ 12 once found this ambiguous with the name one).
    int ran = 0;
    auto eager = aio::create_task(
        [](int& r) -> aio::coro<> {
          r = 1;
          co_return;
        }(ran),
        {.name = "e", .eager = true});
    EXPECT_EQ(ran, 1);  // eager: ran up to its end inside create_task
    EXPECT_EQ(eager.get_name(), "e");
    co_await eager;
    EXPECT_EQ(named.get_name(), "x");
    EXPECT_EQ(opts.get_name(), "y");
    EXPECT_EQ(from_string.get_name(), "z");
    EXPECT_EQ(co_await t, 4);
    EXPECT_EQ(co_await named + co_await opts + co_await from_string, 3 + 4 + 5);
  }());
}

TEST(task, done_callbacks_run_through_the_loop_in_registration_order) {
  std::vector<int> log;
  aio_test::run([](std::vector<int>* log) -> aio::coro<> {
    auto t = aio::create_task(add(2, 3));
    t.add_done_callback([log](const aio::task<int>& done) { log->push_back(done.result()); });
    t.add_done_callback([log] { log->push_back(1); });
    const auto id = t.add_done_callback([log] { log->push_back(99); });
    EXPECT_EQ(t.remove_done_callback(id), 1U);
    EXPECT_EQ(t.remove_done_callback(id), 0U);
    // Completion schedules every waiter in registration order: both callbacks were registered before
    // this await, so they have run (on the loop, not inline) by the time it resumes (as asyncio).
    co_await t;
    EXPECT_EQ(*log, (std::vector<int>{5, 1}));
    // A callback added to a done task is scheduled too.
    t.add_done_callback([log] { log->push_back(7); });
    EXPECT_EQ(log->size(), 2U);
    co_await aio::sleep(0s);
    EXPECT_EQ(log->back(), 7);
  }(&log));
}

TEST(task, current_task_and_all_tasks) {
  aio_test::run([]() -> aio::coro<> {
    auto me = aio::current_task();
    EXPECT_TRUE(static_cast<bool>(me));
    auto t = aio::create_task(add(1, 1), "child");
    auto all = aio::all_tasks();
    EXPECT_EQ(all.size(), 2U);
    EXPECT_NE(std::find(all.begin(), all.end(), aio::task_handle(t)), all.end());
    EXPECT_NE(std::find(all.begin(), all.end(), me), all.end());
    co_await t;
    EXPECT_EQ(aio::all_tasks().size(), 1U);
  }());
  EXPECT_FALSE(static_cast<bool>(aio::current_task()));
}

TEST(task, a_task_cannot_await_itself) {
  aio_test::run([]() -> aio::coro<> {
    aio::task_handle me = aio::current_task();
    EXPECT_THROW(co_await me, std::runtime_error);
  }());
}

TEST(task, create_task_with_an_empty_coro_is_an_error) {
  aio_test::run([]() -> aio::coro<> {
    auto c = add(1, 2);
    auto moved = std::move(c);
    EXPECT_THROW((void)aio::create_task(std::move(c)),
                 aio::invalid_state_error);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(co_await aio::create_task(std::move(moved)), 3);
  }());
}

TEST(task, move_only_results_move_out) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task([]() -> aio::coro<std::unique_ptr<int>> {
      co_await aio::sleep(0s);
      co_return std::make_unique<int>(42);
    }());
    std::unique_ptr<int> p = co_await std::move(t);
    EXPECT_EQ(*p, 42);
  }());
}

TEST(task, task_handle_views_any_task) {
  aio_test::run([]() -> aio::coro<> {
    aio::task<int> t = aio::create_task(add(1, 1));
    aio::task_handle h = t;
    EXPECT_FALSE(h.done());
    co_await h;
    EXPECT_TRUE(h.done());
    EXPECT_FALSE(h.cancelled());
    EXPECT_FALSE(h.cancel());
    aio::task_handle empty;
    EXPECT_FALSE(static_cast<bool>(empty));
  }());
}

}  // namespace
