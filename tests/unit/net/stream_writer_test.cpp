// stream_writer over real loopback TCP: drain and flow control, half-close, closed peers, extra info.

#include <sys/socket.h>

#include <csignal>
#include <string>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

/// Accepts one connection and hands its streams to the test.
struct one_connection {
  aio::stream_reader reader;
  aio::stream_writer writer;
  aio::event ready;
  void reset() {
    reader = {};
    writer = {};
  }
};

aio::coro<aio::server> accept_one(one_connection& c) {
  aio::client_connected_cb cb = [&c](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
    c.reader = std::move(r);
    c.writer = std::move(w);
    c.ready.set();
    co_return;
  };
  co_return co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
}

TEST(stream_writer, drain_blocks_on_a_slow_reader_and_memory_stays_bounded) {
  aio_test::run(
      []() -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        w.set_write_buffer_limits(64 * 1024);
        const std::string chunk(64 * 1024, 'x');
        // Nobody reads: the kernel buffers fill, then ours; drain() must block instead of growing.
        std::size_t written = 0;
        bool blocked = false;
        for (int i = 0; i < 1000 && !blocked; ++i) {
          w.write(chunk);
          written += chunk.size();
          try {
            co_await aio::wait_for(w.drain(), 50ms);
          } catch (const aio::timeout_error&) {
            blocked = true;
          }
        }
        EXPECT_TRUE(blocked) << "drain() never blocked after " << written << " bytes";
        EXPECT_LE(w.write_buffer_size(), 64 * 1024 + chunk.size());
        // A reader drains everything: every byte arrives, in order, and drain() returns.
        std::size_t got = 0;
        bool in_order = true;
        auto drained = aio::create_task([](aio::stream_writer wr) -> aio::coro<> { co_await wr.drain(); }(w));
        while (got < written) {
          const std::string part = co_await peer.reader.read(1 << 20);
          if (part.empty()) break;
          in_order = in_order && part.find_first_not_of('x') == std::string::npos;
          got += part.size();
        }
        co_await drained;
        EXPECT_EQ(got, written);
        EXPECT_TRUE(in_order);
        peer.writer.close();
        w.close();
        co_await w.wait_closed();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_writer, writing_to_a_closed_peer_fails_on_drain_without_sigpipe) {
  // SIGPIPE would kill the test process: its default disposition must not matter.
  auto previous = std::signal(SIGPIPE, SIG_DFL);
  aio_test::run(
      []() -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        peer.writer.abort();  // RST-free close of the peer; its reader handle goes too
        peer.reset();
        bool failed = false;
        std::string what;
        for (int i = 0; i < 100 && !failed; ++i) {
          w.write(std::string(4096, 'y'));
          try {
            co_await w.drain();
            co_await aio::sleep(1ms);
          } catch (const std::system_error& e) {
            failed = true;
            what = e.what();
            EXPECT_TRUE(e.code().value() == EPIPE || e.code().value() == ECONNRESET) << e.what();
          }
        }
        EXPECT_TRUE(failed);
        EXPECT_NE(what.find("127.0.0.1:"), std::string::npos) << what;
        w.close();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
  std::signal(SIGPIPE, previous);
}

TEST(stream_writer, write_eof_half_closes_and_the_other_direction_keeps_working) {
  aio_test::run(
      []() -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        EXPECT_TRUE(w.can_write_eof());
        w.write("request");
        w.write_eof();
        const std::string request = co_await peer.reader.read();  // until EOF
        EXPECT_EQ(request, "request");
        peer.writer.write("response");
        peer.writer.close();
        const std::string response = co_await r.read();
        EXPECT_EQ(response, "response");
        EXPECT_THROW(w.write("late"), std::runtime_error);
        w.close();
        co_await w.wait_closed();
        EXPECT_TRUE(w.is_closing());
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

// A peer that half-closed (its FIN came with EPOLLRDHUP) but still reads, late: the writer must wait for
// room like with any slow reader. The readiness cache once kept "writable" sticky after such a hang-up,
// so a full socket made the flush spin forever on the loop thread.
TEST(stream_writer, a_half_closed_peer_that_reads_late_gets_every_byte) {
  aio_test::run(
      []() -> aio::coro<> {
        constexpr std::size_t k_size = std::size_t{8} << 20U;
        aio::client_connected_cb cb = [](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
          const std::string got = co_await r.read();  // the client's FIN
          EXPECT_EQ(got, "");
          w.write(std::string(k_size, 'z'));
          co_await w.drain();
          w.close();
          co_await w.wait_closed();
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        w.write_eof();
        co_await aio::sleep(200ms);  // the server's socket fills up meanwhile
        std::size_t total = 0;
        for (;;) {
          const std::string chunk = co_await r.read(65536);
          if (chunk.empty()) break;
          total += chunk.size();
        }
        EXPECT_EQ(total, k_size);
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_writer, extra_info_names_both_ends) {
  aio_test::run(
      []() -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        const auto peername = std::any_cast<aio::socket_address>(w.get_extra_info("peername"));
        const auto sockname = std::any_cast<aio::socket_address>(w.get_extra_info("sockname"));
        EXPECT_EQ(peername.to_string(), "127.0.0.1:" + std::to_string(srv.port()));
        EXPECT_EQ(peer.writer.peername(), sockname);
        EXPECT_GE(std::any_cast<int>(w.get_extra_info("socket")), 0);
        EXPECT_FALSE(w.get_extra_info("ssl_object").has_value());
        EXPECT_FALSE(w.get_extra_info("no such thing").has_value());
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_writer, a_cancelled_drain_loses_no_byte) {
  aio_test::run(
      []() -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        w.set_write_buffer_limits(1024);
        std::size_t written = 0;
        for (int i = 0; i < 64; ++i) {
          w.write(std::string(256 * 1024, static_cast<char>('a' + i % 26)));
          written += 256 * 1024;
        }
        bool timed_out = false;
        try {
          co_await aio::wait_for(w.drain(), 10ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        w.close();  // flushes what is queued, then closes
        std::size_t got = 0;
        for (;;) {
          const std::string part = co_await peer.reader.read(1 << 20);
          if (part.empty()) break;
          got += part.size();
        }
        EXPECT_EQ(got, written);
        co_await w.wait_closed();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

}  // namespace
