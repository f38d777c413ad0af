// stream_reader over real loopback TCP connections: read, readexactly, readline, readuntil, limits, EOF.

#include <sys/socket.h>

#include <string>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

/// A server that writes `payload` to every client and then closes (or half-closes) the connection.
aio::coro<aio::server> serve_payload(std::string payload) {
  // Named, not a temporary inside co_await (g++ 12: docs/design/compilers.md).
  aio::client_connected_cb cb = [payload](aio::stream_reader, aio::stream_writer w) -> aio::coro<> {
    w.write(payload);
    co_await w.drain();
    w.close();
    co_await w.wait_closed();
  };
  co_return co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
}

TEST(stream_reader, reads_lines_exact_counts_and_eof) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::server srv = co_await serve_payload("hello\nworld\nABCDEFtail");
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        const std::string got1 = co_await r.readline();
        EXPECT_EQ(got1, "hello\n");
        const std::string got2 = co_await r.readuntil("\n");
        EXPECT_EQ(got2, "world\n");
        const std::string got3 = co_await r.readexactly(3);
        EXPECT_EQ(got3, "ABC");
        const std::string got4 = co_await r.read(2);
        EXPECT_EQ(got4, "DE");
        const std::string got5 = co_await r.read();
        EXPECT_EQ(got5, "Ftail");  // -1: until EOF
        EXPECT_TRUE(r.at_eof());
        const std::string got6 = co_await r.read(100);
        EXPECT_EQ(got6, "");
        const std::string got7 = co_await r.readline();
        EXPECT_EQ(got7, "");
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_reader, readexactly_at_eof_gives_the_partial_bytes) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::server srv = co_await serve_payload("only5");
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        bool thrown = false;
        try {
          co_await r.readexactly(10);
        } catch (const aio::incomplete_read_error& e) {
          thrown = true;
          EXPECT_EQ(e.partial(), "only5");
          EXPECT_EQ(e.expected(), 10U);
        }
        EXPECT_TRUE(thrown);
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_reader, readuntil_with_several_separators_and_limit) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::server srv = co_await serve_payload("a;b\r\nccccccccccccccccccccccc!");
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        // (Named: a braced vector inside co_await does not compile with g++ 12, docs/design/compilers.md.)
        const std::vector<std::string> seps{"\r\n", ";"};
        const std::string got8 = co_await r.readuntil(seps);
        EXPECT_EQ(got8, "a;");
        const std::string got9 = co_await r.readuntil(seps);
        EXPECT_EQ(got9, "b\r\n");
        r.set_limit(8);
        bool overrun = false;
        try {
          co_await r.readuntil("!");
        } catch (const aio::limit_overrun_error&) {
          overrun = true;
        }
        EXPECT_TRUE(overrun);
        const std::string got10 = co_await r.readexactly(4);
        EXPECT_EQ(got10, "cccc");  // the bytes stayed buffered (asyncio)
        r.set_limit(64 * 1024);
        bool eof = false;
        try {
          co_await r.readuntil("?");
        } catch (const aio::limit_overrun_error&) {
          eof = false;
        } catch (const aio::incomplete_read_error& e) {
          eof = true;
          EXPECT_EQ(e.partial().back(), '!');
        }
        EXPECT_TRUE(eof);
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_reader, a_line_longer_than_the_limit_is_dropped_and_reported) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::server srv = co_await serve_payload(std::string(100, 'x') + "\nnext\n");
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        r.set_limit(16);
        bool overrun = false;
        try {
          co_await r.readline();
        } catch (const aio::limit_overrun_error&) {
          overrun = true;
        }
        EXPECT_TRUE(overrun);
        const std::string got11 = co_await r.readline();
        EXPECT_EQ(got11, "next\n");
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_reader, a_cancelled_read_loses_no_byte) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::stream_writer to_client;
        aio::event connected;
        aio::client_connected_cb cb = [&](aio::stream_reader, aio::stream_writer w) -> aio::coro<> {
          to_client = w;
          connected.set();
          co_return;
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await connected.wait();
        // Nothing arrives within the timeout: the read is cancelled.
        bool timed_out = false;
        try {
          co_await aio::wait_for(r.read(10), 20ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        to_client.write("payload");
        const std::string got12 = co_await r.readexactly(7);
        EXPECT_EQ(got12, "payload");
        to_client.close();
        const std::string got13 = co_await r.read();
        EXPECT_EQ(got13, "");
        to_client = {};
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_reader, two_tasks_reading_at_once_is_an_error) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::stream_writer keep;
        aio::client_connected_cb cb = [&](aio::stream_reader, aio::stream_writer w) -> aio::coro<> {
          keep = w;
          co_return;
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        aio::stream_reader reader = r;
        auto first = aio::create_task(
            [](aio::stream_reader rd) -> aio::coro<std::string> { co_return co_await rd.read(1); }(reader));
        co_await aio::sleep(0s);
        bool refused = false;
        try {
          co_await r.read(1);
        } catch (const std::runtime_error& e) {
          refused = std::string(e.what()).find("already waiting") != std::string::npos;
        }
        EXPECT_TRUE(refused);
        first.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(first);
        EXPECT_TRUE(cancelled);
        keep = {};
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

// A cancelled read loses nothing: what it had buffered is read next, and bytes arriving after a later
// read emptied (and rewound) the buffer arrive whole and in order.
TEST(stream_reader, bytes_received_after_a_cancelled_read_and_a_rewind_arrive_in_order) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::event go;
        aio::client_connected_cb cb = [&go](aio::stream_reader, aio::stream_writer w) -> aio::coro<> {
          w.write(std::string(50, 'a'));
          co_await w.drain();
          co_await go.wait();
          w.write("0123456789");
          co_await w.drain();
          w.close();
          co_await w.wait_closed();
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        auto pending = aio::create_task([](aio::stream_reader& rd) -> aio::coro<std::string> {
          co_return co_await rd.readexactly(100);
        }(r));
        co_await aio::sleep(50ms);
        pending.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(pending);
        EXPECT_TRUE(cancelled);
        const std::string first = co_await r.read(50);
        EXPECT_EQ(first, std::string(50, 'a'));
        go.set();
        const std::string rest = co_await r.readexactly(10);
        EXPECT_EQ(rest, "0123456789");
        const std::string end = co_await r.read();
        EXPECT_EQ(end, "");
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

}  // namespace
