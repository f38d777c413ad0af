#include "aio/debug/call_graph.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace graph_test {

// Distinct names the symboliser must find: the await graph names each coroutine by its function.
aio::coro<> leaf_waits(aio::event& e) { co_await e.wait(); }

aio::coro<> middle_layer(aio::event& e) { co_await leaf_waits(e); }

aio::coro<int> outer_worker(aio::event& e) {
  co_await middle_layer(e);
  co_return 7;
}

aio::coro<int> awaits_task(aio::task<int> t) { co_return co_await t; }

aio::coro<> gathers_task(aio::task<int> t) {
  auto results = co_await aio::gather(t);
  (void)results;
}

aio::coro<> shields_task(aio::task<int> t) {
  const int v = co_await aio::shield(t);
  (void)v;
}

aio::coro<> waits_for_task(aio::task<int> t) {
  const int v = co_await aio::wait_for(t, 1h);
  (void)v;
}

aio::coro<> waits_on_set(aio::task<int> t) {
  std::vector<aio::task<int>> set{t};
  auto r = co_await aio::wait(set);
  (void)r;
}

aio::coro<> group_body(aio::task_group& tg, aio::event& e, aio::task_handle* child) {
  auto c = tg.create_task(outer_worker(e), "grouped");
  *child = c;
  co_return;
}

aio::coro<> runs_group(aio::event& e, aio::task_handle* child) {
  co_await aio::task_group::run([&](aio::task_group& tg) { return group_body(tg, e, child); });
}

aio::coro<std::vector<std::string>> names_itself_after_yield() {
  co_await aio::sleep(0s);
  const aio::call_graph g = aio::capture_call_graph();
  std::vector<std::string> names;
  for (const auto& e : g.call_stack) names.push_back(e.function);
  co_return names;
}

aio::coro<std::vector<std::string>> inner_asks_here() {
  const aio::call_graph g = co_await aio::current_call_graph();
  std::vector<std::string> names;
  for (const auto& e : g.call_stack) names.push_back(e.function);
  co_return names;
}

aio::coro<std::vector<std::string>> outer_asks_here() { co_return co_await inner_asks_here(); }

}  // namespace graph_test

namespace {

bool names(const aio::call_stack_entry& e, const std::string& fn) {
  return e.function.find(fn) != std::string::npos;
}

// The whole graph, for failure messages.
std::string describe(const aio::call_graph& g) { return aio::format_call_graph(g); }

TEST(call_graph, names_the_coroutines_of_a_suspended_task_innermost_first) {
  aio_test::run([]() -> aio::coro<> {
    aio::event e;
    auto t = aio::create_task(graph_test::outer_worker(e), "worker");
    co_await aio::sleep(0s);
    const aio::call_graph g = aio::capture_call_graph(t);
    EXPECT_TRUE(g);
    EXPECT_EQ(g.name, "worker");
    EXPECT_TRUE(g.task == aio::task_handle(t));
    EXPECT_TRUE(g.awaited_by.empty());
    // event::wait() is an awaiter, not a coroutine: the innermost coroutine is leaf_waits.
    EXPECT_EQ(g.call_stack.size(), 3U) << describe(g);
    if (g.call_stack.size() == 3) {
      EXPECT_TRUE(names(g.call_stack[0], "graph_test::leaf_waits(aio::event&)")) << describe(g);
      EXPECT_TRUE(names(g.call_stack[1], "graph_test::middle_layer(aio::event&)")) << describe(g);
      EXPECT_TRUE(names(g.call_stack[2], "graph_test::outer_worker(aio::event&)")) << describe(g);
      EXPECT_NE(g.call_stack[0].address, nullptr);
    }
    e.set();
    EXPECT_EQ(co_await t, 7);
    EXPECT_TRUE(aio::capture_call_graph(t).call_stack.empty());  // done: nothing to show
  }());
}

TEST(call_graph, a_task_not_started_shows_its_root) {
  aio_test::run([]() -> aio::coro<> {
    aio::event e;
    auto t = aio::create_task(graph_test::outer_worker(e));
    const aio::call_graph g = aio::capture_call_graph(t);
    EXPECT_EQ(g.call_stack.size(), 1U) << describe(g);
    EXPECT_TRUE(!g.call_stack.empty() && names(g.call_stack[0], "outer_worker")) << describe(g);
    e.set();
    co_await t;
  }());
}

TEST(call_graph, empty_outside_a_task) {
  const aio::call_graph g = aio::capture_call_graph();
  EXPECT_FALSE(g);
  EXPECT_EQ(aio::format_call_graph(g), "");
}

TEST(call_graph, awaited_by_every_kind_of_waiter) {
  aio_test::run([]() -> aio::coro<> {
    aio::event e;
    auto t = aio::create_task(graph_test::outer_worker(e), "worker");
    auto a = aio::create_task(graph_test::awaits_task(t), "awaiter");
    auto g1 = aio::create_task(graph_test::gathers_task(t), "gatherer");
    auto s = aio::create_task(graph_test::shields_task(t), "shielder");
    auto w = aio::create_task(graph_test::waits_for_task(t), "timed");
    auto ws = aio::create_task(graph_test::waits_on_set(t), "waiter");
    co_await aio::sleep(0s);
    const aio::call_graph g = aio::capture_call_graph(t);
    std::vector<std::string> seen;
    for (const aio::call_graph& by : g.awaited_by) seen.push_back(by.name + "/" + by.via);
    const std::vector<std::string> expected{"awaiter/await", "gatherer/gather", "shielder/shield",
                                            "timed/await", "waiter/wait"};
    EXPECT_EQ(seen, expected) << describe(g);
    for (const aio::call_graph& by : g.awaited_by) {
      EXPECT_TRUE(!by.call_stack.empty() && names(by.call_stack.back(), "graph_test::")) << describe(g);
    }
    e.set();
    co_await aio::gather(a, g1, s, w, ws);
  }());
}

TEST(call_graph, awaited_by_is_a_tree_through_task_groups) {
  aio_test::run([]() -> aio::coro<> {
    aio::event e;
    aio::task_handle child;
    auto grp = aio::create_task(graph_test::runs_group(e, &child), "group_owner");
    co_await aio::sleep(0s);
    auto outer = aio::create_task(
        [](aio::task<> g) -> aio::coro<int> {
          co_await g;
          co_return 0;
        }(grp),
        "outermost");
    co_await aio::sleep(0s);
    EXPECT_TRUE(child);
    const aio::call_graph g = aio::capture_call_graph(child);
    EXPECT_EQ(g.name, "grouped");
    EXPECT_EQ(g.awaited_by.size(), 1U) << describe(g);
    if (g.awaited_by.size() == 1) {
      const aio::call_graph& owner = g.awaited_by[0];
      EXPECT_EQ(owner.name, "group_owner");
      EXPECT_EQ(owner.via, "task_group");
      EXPECT_TRUE(!owner.call_stack.empty() && names(owner.call_stack.back(), "graph_test::runs_group"))
          << describe(g);
      EXPECT_EQ(owner.awaited_by.size(), 1U) << describe(g);
      EXPECT_TRUE(!owner.awaited_by.empty() && owner.awaited_by[0].name == "outermost") << describe(g);
    }
    e.set();
    co_await outer;
  }());
}

TEST(call_graph, the_running_task_from_its_resume_point_and_exactly_from_current_call_graph) {
  aio_test::run([]() -> aio::coro<> {
    auto t = aio::create_task(graph_test::names_itself_after_yield());
    const std::vector<std::string> after_yield = co_await t;
    EXPECT_EQ(after_yield.size(), 1U);
    EXPECT_TRUE(!after_yield.empty() && after_yield[0].find("names_itself_after_yield") != std::string::npos);

    auto u = aio::create_task(graph_test::outer_asks_here());
    const std::vector<std::string> here = co_await u;
    EXPECT_EQ(here.size(), 2U);
    if (here.size() == 2) {
      EXPECT_NE(here[0].find("graph_test::inner_asks_here"), std::string::npos) << here[0];
      EXPECT_NE(here[1].find("graph_test::outer_asks_here"), std::string::npos) << here[1];
    }
  }());
}

TEST(call_graph, formats_as_asyncio) {
  aio_test::run([]() -> aio::coro<> {
    aio::event e;
    auto t = aio::create_task(graph_test::outer_worker(e), "worker");
    auto g1 = aio::create_task(graph_test::gathers_task(t), "gatherer");
    co_await aio::sleep(0s);
    const std::string text = aio::format_call_graph(t);
    EXPECT_EQ(text.rfind("* Task(name='worker', id=0x", 0), 0U) << text;
    EXPECT_NE(text.find("\n+ Call stack:\n|   in async graph_test::leaf_waits(aio::event&)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\n+ Awaited by:\n   * Task(name='gatherer', id=0x"), std::string::npos) << text;
    EXPECT_NE(text.find(") via gather\n      + Call stack:\n      |   in async graph_test::gathers_task"),
              std::string::npos)
        << text;
    // limit: the innermost entries (positive), the outermost (negative), none (0).
    const std::string one = aio::format_call_graph(t, 1);
    EXPECT_NE(one.find("leaf_waits"), std::string::npos) << one;
    EXPECT_EQ(one.find("middle_layer"), std::string::npos) << one;
    const std::string last = aio::format_call_graph(t, -1);
    EXPECT_NE(last.find("outer_worker"), std::string::npos) << last;
    EXPECT_EQ(last.find("leaf_waits"), std::string::npos) << last;
    const std::string none = aio::format_call_graph(t, 0);
    EXPECT_EQ(none.find("Call stack"), std::string::npos) << none;
    EXPECT_NE(none.find("Awaited by"), std::string::npos) << none;
    std::ostringstream out;
    aio::print_call_graph(t, out);
    EXPECT_EQ(out.str(), text);
    e.set();
    co_await g1;
  }());
}

}  // namespace
