// aio::pg::listener: LISTEN/NOTIFY between two connections, in order, while idle and during queries.

#include "aio/pg/listener.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "aio/aio.hpp"
#include "aio/pg/connection.hpp"
#include "aio/pg/errors.hpp"
#include "pg_server.hpp"

using namespace std::chrono_literals;

namespace {

using pg_listener = pg_test::fixture;

TEST_F(pg_listener, notifications_arrive_in_order) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        auto sender = co_await aio::pg::connect(dsn);
        auto events = co_await conn.listen("Events");  // quoted: the case is kept
        EXPECT_EQ(events.channel(), "Events");
        for (int i = 0; i < 5; ++i)
          co_await sender.execute("SELECT pg_notify('Events', $1)", std::to_string(i));
        // Delivered while `conn` is idle (nothing is running on it).
        for (int i = 0; i < 5; ++i) {
          auto n = co_await aio::wait_for(events.next(), 5s);
          EXPECT_EQ(n.channel, "Events");
          EXPECT_EQ(n.payload, std::to_string(i));
          EXPECT_EQ(n.pid, sender.get_server_pid());
        }
        // A notification that arrives while a query runs on the listening connection.
        auto slow = aio::create_task(conn.fetch("SELECT pg_sleep(0.3)"));
        co_await aio::sleep(0.1s);
        co_await sender.execute("NOTIFY \"Events\", 'during'");
        co_await slow;
        EXPECT_EQ((co_await aio::wait_for(events.next(), 5s)).payload, "during");
        // Another channel is not delivered here.
        co_await sender.execute("NOTIFY other, 'x'");
        co_await sender.execute("NOTIFY \"Events\", 'last'");
        EXPECT_EQ((co_await aio::wait_for(events.next(), 5s)).payload, "last");
        co_await events.unlisten();
        std::string what;
        try {
          co_await events.next();
        } catch (const aio::pg::interface_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("closed"), std::string::npos) << what;
        // Unlistened on the server: nothing is queued for the channel any more.
        EXPECT_EQ(co_await conn.fetchval<int>("SELECT count(*) FROM pg_listening_channels()"), 0);
      }(dsn()),
      real_time());
}

TEST_F(pg_listener, next_ends_when_the_connection_closes) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        auto l = co_await conn.listen("c");
        auto waiter = aio::create_task(l.next());
        co_await aio::sleep(0.05s);
        conn.close();
        std::string what;
        try {
          co_await waiter;
        } catch (const aio::pg::interface_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("closed"), std::string::npos) << what;
      }(dsn()),
      real_time());
}

TEST_F(pg_listener, cancelled_next_loses_nothing) {
  aio_test::run(
      [](std::string dsn) -> aio::coro<> {
        auto conn = co_await aio::pg::connect(dsn);
        auto sender = co_await aio::pg::connect(dsn);
        auto l = co_await conn.listen("c");
        bool timed_out = false;
        try {
          co_await aio::wait_for(l.next(), 0.05s);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        co_await sender.execute("NOTIFY c, 'kept'");
        EXPECT_EQ((co_await aio::wait_for(l.next(), 5s)).payload, "kept");
      }(dsn()),
      real_time());
}

}  // namespace
