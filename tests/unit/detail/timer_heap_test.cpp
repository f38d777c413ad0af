#include "aio/detail/timer_heap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {

TEST(timer_heap, pops_in_deadline_then_insertion_order_and_removes_anywhere) {
  aio::detail::timer_heap heap;
  std::vector<aio::detail::timer_node> nodes(200);
  std::mt19937 rng(7);
  std::vector<std::pair<int, int>> expect;  // (deadline, insertion index)
  for (int i = 0; i < 200; ++i) {
    const int when = static_cast<int>(rng() % 20);
    heap.push(&nodes[static_cast<std::size_t>(i)], aio::clock::time_point(std::chrono::seconds(when)));
    expect.emplace_back(when, i);
  }
  // Remove every third node from the middle of the heap.
  for (int i = 0; i < 200; i += 3) {
    heap.remove(&nodes[static_cast<std::size_t>(i)]);
    EXPECT_FALSE(nodes[static_cast<std::size_t>(i)].armed());
  }
  std::erase_if(expect, [](const auto& p) { return p.second % 3 == 0; });
  std::sort(expect.begin(), expect.end());
  std::vector<std::pair<int, int>> got;
  while (!heap.empty()) {
    const auto when = heap.next_deadline();
    const auto d = heap.pop();
    ASSERT_NE(d.node, nullptr);
    got.emplace_back(
        static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count()),
        static_cast<int>(d.node - nodes.data()));
  }
  EXPECT_EQ(got, expect);
}

}  // namespace
