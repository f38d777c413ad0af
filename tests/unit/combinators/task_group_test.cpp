// aio::task_group, against CPython 3.13's TaskGroup (test_taskgroups.py) and its later fixes: the
// group waits for every child, the first failure cancels body and siblings, every failure comes out
// in one exception_group, the parent's cancellation propagates, uncancel() keeps the counts right.
#include "aio/combinators/task_group.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using log_t = std::vector<std::string>;

aio::coro<int> work(std::chrono::milliseconds d, int v, log_t* log = nullptr, std::string name = {}) {
  try {
    co_await aio::sleep(d);
  } catch (const aio::cancelled_error&) {
    if (log != nullptr) log->push_back(name + " cancelled");
    throw;
  }
  if (log != nullptr) log->push_back(name + " done");
  co_return v;
}

aio::coro<> fail_after(std::chrono::milliseconds d, std::string what) {
  co_await aio::sleep(d);
  throw std::runtime_error(what);
}

aio::coro<> fail_logic_after(std::chrono::milliseconds d, std::string what) {
  co_await aio::sleep(d);
  throw std::logic_error(what);
}

std::vector<std::string> whats(const aio::exception_group& g) {
  std::vector<std::string> out;
  for (const auto& e : g.exceptions()) {
    try {
      std::rethrow_exception(e);
    } catch (const aio::exception_group& inner) {
      out.push_back(std::string("group of ") + std::to_string(inner.exceptions().size()));
    } catch (const std::exception& x) {
      out.push_back(x.what());
    }
  }
  return out;
}

TEST(task_group, waits_for_every_child_and_the_body_runs_in_the_callers_task) {
  aio_test::run([]() -> aio::coro<> {
    aio::task<int> a;
    aio::task<int> b;
    const aio::task_handle me = aio::current_task();
    const auto t0 = aio::get_running_loop().time();
    co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
      EXPECT_TRUE(aio::current_task() == me);
      a = tg.create_task(work(10ms, 1));
      b = tg.create_task(work(20ms, 2), "b");
      EXPECT_EQ(tg.size(), 2U);
      co_return;
    });
    EXPECT_DOUBLE_EQ(aio_test::seconds_since(t0), 0.020);
    EXPECT_TRUE(a.done() && b.done());
    EXPECT_EQ(a.result() + b.result(), 3);
    EXPECT_EQ(b.get_name(), "b");
    EXPECT_EQ(aio::get_running_loop().live_tasks(), 1U);  // only main: nothing leaked
  }());
}

TEST(task_group, an_empty_group_returns_at_once) {
  aio_test::run([]() -> aio::coro<> {
    int runs = 0;
    co_await aio::task_group::run([&runs](aio::task_group&) -> aio::coro<> {
      ++runs;
      co_return;
    });
    EXPECT_EQ(runs, 1);
  }());
}

TEST(task_group, the_first_failure_cancels_the_body_and_the_siblings) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    try {
      co_await aio::task_group::run([log](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(work(1h, 1, log, "sibling"));
        tg.create_task(fail_after(10ms, "boom"));
        try {
          co_await aio::sleep(1h);
        } catch (const aio::cancelled_error&) {
          log->push_back("body cancelled");
          throw;
        }
      });
      ADD_FAILURE() << "no exception_group";
    } catch (const aio::exception_group& g) {
      EXPECT_EQ(whats(g), (std::vector<std::string>{"boom"}));
    }
    // The group's own cancellation of its parent was taken back: main goes on.
    EXPECT_EQ(aio::current_task().cancelling(), 0);
    co_await aio::sleep(1ms);
  }(&log));
  EXPECT_EQ(log, (log_t{"sibling cancelled", "body cancelled"}));
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(task_group, two_failures_come_together_and_split_by_type) {
  aio_test::run([]() -> aio::coro<> {
    try {
      co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(fail_after(10ms, "runtime"));
        tg.create_task(fail_logic_after(10ms, "logic"));
        co_return;
      });
      ADD_FAILURE() << "no exception_group";
    } catch (const aio::exception_group& g) {
      EXPECT_EQ(whats(g), (std::vector<std::string>{"runtime", "logic"}));
      EXPECT_EQ(g.split<std::logic_error>().size(), 1U);
      EXPECT_EQ(g.split<std::runtime_error>().size(), 1U);
      EXPECT_EQ(g.split<std::exception>().size(), 2U);
    }
  }());
}

TEST(task_group, the_body_failure_comes_last_in_the_group) {
  aio_test::run([]() -> aio::coro<> {
    try {
      co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(fail_after(1ms, "child"));
        co_await aio::sleep(5ms);  // cancelled by the group: the body's own error comes after
        ADD_FAILURE() << "the body was not cancelled";
      });
    } catch (const aio::exception_group& g) {
      EXPECT_EQ(whats(g), (std::vector<std::string>{"child"}));
    }
    try {
      co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(fail_after(5ms, "child"));
        co_await aio::sleep(1ms);
        throw std::invalid_argument("body");
      });
      ADD_FAILURE() << "no exception_group";
    } catch (const aio::exception_group& g) {
      // The body's failure aborted the group before the child could fail.
      EXPECT_EQ(whats(g), (std::vector<std::string>{"body"}));
    }
    try {
      co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
        tg.create_task([]() -> aio::coro<> {
          try {
            co_await aio::sleep(1h);
          } catch (const aio::cancelled_error&) {
          }
          throw std::runtime_error("child, while cancelled");
        }());
        co_await aio::sleep(1ms);
        throw std::invalid_argument("body");
      });
      ADD_FAILURE() << "no exception_group";
    } catch (const aio::exception_group& g) {
      EXPECT_EQ(whats(g), (std::vector<std::string>{"child, while cancelled", "body"}));
    }
  }());
}

TEST(task_group, parent_cancellation_in_the_body_propagates_to_the_children) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto parent = aio::create_task([](log_t* log) -> aio::coro<> {
      co_await aio::task_group::run([log](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(work(1h, 1, log, "child"));
        co_await aio::sleep(1h);
      });
      ADD_FAILURE() << "run returned";
    }(log));
    co_await aio::sleep(10ms);
    parent.cancel("outside");
    try {
      co_await parent;
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "outside");
    }
    EXPECT_EQ(parent.cancelling(), 1);
  }(&log));
  EXPECT_EQ(log, (log_t{"child cancelled"}));
}

TEST(task_group, parent_cancellation_while_waiting_for_the_children) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    auto parent = aio::create_task([](log_t* log) -> aio::coro<> {
      co_await aio::task_group::run([log](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(work(1h, 1, log, "child"));
        co_return;  // the group now waits in its exit
      });
    }(log));
    co_await aio::sleep(10ms);
    parent.cancel();
    EXPECT_THROW(co_await parent, aio::cancelled_error);
  }(&log));
  EXPECT_EQ(log, (log_t{"child cancelled"}));
}

TEST(task_group, a_cancelled_child_is_not_a_failure) {
  aio_test::run([]() -> aio::coro<> {
    co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
      auto t = tg.create_task(work(1h, 1));
      tg.create_task(work(5ms, 2));
      co_await aio::sleep(1ms);
      t.cancel();
    });
    EXPECT_EQ(aio::current_task().cancelling(), 0);
  }());
}

TEST(task_group, nested_groups_nest_their_exception_groups) {
  aio_test::run([]() -> aio::coro<> {
    try {
      co_await aio::task_group::run([](aio::task_group& outer) -> aio::coro<> {
        outer.create_task(aio::task_group::run([](aio::task_group& inner) -> aio::coro<> {
          inner.create_task(fail_logic_after(5ms, "deep"));
          co_await aio::sleep(1h);
        }));
        outer.create_task(fail_after(10ms, "shallow"));  // cancelled by the inner failure first
        co_await aio::sleep(1h);
      });
      ADD_FAILURE() << "no exception_group";
    } catch (const aio::exception_group& g) {
      EXPECT_EQ(whats(g), (std::vector<std::string>{"group of 1"}));
      EXPECT_EQ(g.split<std::logic_error>().size(), 1U);  // nested groups are flattened
    }
  }());
}

TEST(task_group, create_task_on_a_group_shutting_down_or_finished_throws) {
  aio_test::run([]() -> aio::coro<> {
    bool shutting_down_refused = false;
    try {
      co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(fail_after(1ms, "x"));
        try {
          co_await aio::sleep(1h);
        } catch (const aio::cancelled_error&) {
        }
        try {
          tg.create_task(work(1ms, 1));
        } catch (const std::runtime_error&) {
          shutting_down_refused = true;
        }
      });
    } catch (const aio::exception_group&) {
    }
    EXPECT_TRUE(shutting_down_refused);

    // A done callback on the last child runs after the group's own, before run() resumes: the
    // group is finished then.
    bool finished_refused = false;
    co_await aio::task_group::run([&](aio::task_group& tg) -> aio::coro<> {
      auto last = tg.create_task(work(1ms, 1));
      last.add_done_callback([&tg, &finished_refused] {
        try {
          tg.create_task(work(1ms, 2));
        } catch (const std::runtime_error&) {
          finished_refused = true;
        }
      });
      co_return;
    });
    EXPECT_TRUE(finished_refused);
  }());
}

TEST(task_group, a_child_may_add_children_while_the_group_exits) {
  aio_test::run([]() -> aio::coro<> {
    int total = 0;
    co_await aio::task_group::run([&total](aio::task_group& tg) -> aio::coro<> {
      tg.create_task([](aio::task_group* tg, int* total) -> aio::coro<> {
        co_await aio::sleep(5ms);
        tg->create_task([](int* total) -> aio::coro<> {
          co_await aio::sleep(5ms);
          *total += 10;
        }(total));
        *total += 1;
      }(&tg, &total));
      co_return;
    });
    EXPECT_EQ(total, 11);
  }());
}

TEST(task_group, the_callable_is_kept_alive_until_done) {
  aio_test::run([]() -> aio::coro<> {
    std::string seen;
    auto make_body = [&seen]() {
      auto big = std::make_unique<std::string>("captured state");
      // A temporary lambda whose captures are used after its first suspension.
      return [&seen, big = std::move(big)](aio::task_group& tg) -> aio::coro<> {
        tg.create_task(work(1ms, 0));
        co_await aio::sleep(5ms);
        seen = *big;
      };
    };
    co_await aio::task_group::run(make_body());
    EXPECT_EQ(seen, "captured state");
  }());
}

TEST(task_group, cancel_stops_everything_without_an_error) {
  log_t log;
  aio_test::run([](log_t* log) -> aio::coro<> {
    co_await aio::task_group::run([log](aio::task_group& tg) -> aio::coro<> {
      tg.create_task(work(1h, 1, log, "child"));
      tg.create_task([](aio::task_group* tg) -> aio::coro<> {
        co_await aio::sleep(5ms);
        tg->cancel();
        tg->cancel();  // idempotent
      }(&tg));
      try {
        co_await aio::sleep(1h);
      } catch (const aio::cancelled_error&) {
        log->push_back("body cancelled");
        throw;
      }
    });
    EXPECT_EQ(aio::current_task().cancelling(), 0);
    log->push_back("after");
  }(&log));
  EXPECT_EQ(log, (log_t{"child cancelled", "body cancelled", "after"}));
}

// gh-155433 and the "re-cancel" rule: a child fails (the group cancels its parent), then an outside
// cancel arrives while the group waits. The failures win (exception_group), but the outside cancel is
// not lost: the parent's next await raises cancelled_error.
TEST(task_group, an_outside_cancel_during_the_abort_is_kept) {
  aio_test::run([]() -> aio::coro<> {
    bool got_group = false;
    auto parent = aio::create_task([](bool* got_group) -> aio::coro<> {
      try {
        co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
          tg.create_task(fail_after(1ms, "boom"));
          tg.create_task([]() -> aio::coro<> {  // takes a while to wind down
            try {
              co_await aio::sleep(1h);
            } catch (const aio::cancelled_error&) {
            }
            co_await aio::sleep(20ms);
          }());
          co_return;
        });
      } catch (const aio::exception_group&) {
        *got_group = true;
      }
      EXPECT_EQ(aio::current_task().cancelling(), 1);
      co_await aio::sleep(1h);  // the outside cancel is delivered here
      ADD_FAILURE() << "the outside cancel was lost";
    }(&got_group));
    co_await aio::sleep(10ms);  // the child failed; the group is waiting for the slow one
    parent.cancel("outside");
    EXPECT_THROW(co_await parent, aio::cancelled_error);
    EXPECT_TRUE(got_group);
  }());
}

TEST(task_group, an_outside_cancel_during_the_abort_without_failures_propagates) {
  aio_test::run([]() -> aio::coro<> {
    auto parent = aio::create_task([]() -> aio::coro<> {
      co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
        tg.create_task([]() -> aio::coro<> {
          try {
            co_await aio::sleep(1h);
          } catch (const aio::cancelled_error&) {
          }
          co_await aio::sleep(20ms);
        }());
        co_await aio::sleep(5ms);
        tg.cancel();  // the group cancels its parent (the body) itself
        co_await aio::sleep(1h);
      });
      ADD_FAILURE() << "the outside cancel was lost";
    }());
    co_await aio::sleep(10ms);
    parent.cancel("outside");
    EXPECT_THROW(co_await parent, aio::cancelled_error);
  }());
}

// gh-155433 proper: the body ends normally (the group's own cancel is still pending), so there is no
// body cancellation to rethrow; the outside cancel caught while waiting must still propagate.
TEST(task_group, an_outside_cancel_caught_while_waiting_is_not_dropped) {
  aio_test::run([]() -> aio::coro<> {
    auto parent = aio::create_task([]() -> aio::coro<> {
      co_await aio::task_group::run([](aio::task_group& tg) -> aio::coro<> {
        tg.create_task([]() -> aio::coro<> {
          try {
            co_await aio::sleep(1h);
          } catch (const aio::cancelled_error&) {
          }
          co_await aio::sleep(20ms);
        }());
        co_await aio::sleep(5ms);
        tg.cancel();
        co_return;  // no suspension: the group's cancel of its parent is pending
      });
      ADD_FAILURE() << "the outside cancel was dropped";
    }());
    co_await aio::sleep(10ms);
    parent.cancel("outside");
    try {
      co_await parent;
      ADD_FAILURE() << "no cancelled_error";
    } catch (const aio::cancelled_error& e) {
      EXPECT_STREQ(e.what(), "outside");
    }
  }());
}

TEST(task_group, run_outside_a_task_is_refused) {
  aio::event_loop loop;
  auto h = aio::task_group::run([](aio::task_group&) -> aio::coro<> { co_return; }).release();
  // Resumed from a plain callback: there is no parent task to attach the group to.
  loop.call_soon([h] { h.resume(); });
  loop.run_until([h] { return h.done(); });
  EXPECT_THROW((aio::detail::take_result<void, false>(h.promise())), std::runtime_error);
  h.destroy();
}

}  // namespace
