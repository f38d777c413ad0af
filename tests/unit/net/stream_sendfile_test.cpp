// stream_writer::sendfile over real loopback TCP (sendfile(2)) and TLS (the pread + write fallback):
// large files, ranges, ordering with write(), a peer that goes away, cancellation, abort.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "../tls/test_certs.hpp"
#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

/// A temporary file with `size` bytes of a pattern that changes every byte (a shifted or repeated
/// range would not compare equal), opened for reading.
struct temp_file {
  std::filesystem::path path;
  std::string content;
  int fd = -1;
  explicit temp_file(std::size_t size) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("aio_sendfile_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    content.resize(size);
    std::uint32_t x = 2463534242U;
    for (std::size_t i = 0; i < size; i += 4) {  // xorshift: no period a misplaced chunk could hide in
      x ^= x << 13U;
      x ^= x >> 17U;
      x ^= x << 5U;
      for (std::size_t j = 0; j < 4 && i + j < size; ++j) content[i + j] = static_cast<char>(x >> (8 * j));
    }
    std::ofstream(path, std::ios::binary) << content;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() {
    ::close(fd);
    std::filesystem::remove(path);
  }
};

/// One accepted connection's streams, handed to the test.
struct one_connection {
  aio::stream_reader reader;
  aio::stream_writer writer;
  aio::event ready;
  void reset() {
    reader = {};
    writer = {};
  }
};

aio::coro<aio::server> accept_one(one_connection& c, aio::server_options opts = {}) {
  aio::client_connected_cb cb = [&c](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
    c.reader = std::move(r);
    c.writer = std::move(w);
    c.ready.set();
    co_return;
  };
  co_return co_await aio::start_server(std::move(cb), "127.0.0.1", 0, std::move(opts));
}

/// Reads until EOF.
aio::coro<std::string> read_all(aio::stream_reader r) {
  std::string all;
  for (;;) {
    std::string part = co_await r.read(1 << 20);
    if (part.empty()) co_return all;
    all += part;
  }
}

TEST(stream_sendfile, sends_a_large_file_between_queued_writes) {
  const temp_file f(std::size_t{12} << 20);
  aio_test::run(
      [](const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        auto reading = aio::create_task(read_all(std::move(r)));
        // A head larger than the socket takes at once: it is still queued when sendfile starts, and
        // must leave first.
        const std::string head(std::size_t{4} << 20, 'h');
        peer.writer.write(head);
        const std::uint64_t sent = co_await peer.writer.sendfile(f.fd);
        EXPECT_EQ(sent, f.content.size());
        peer.writer.write("tail");
        peer.writer.close();
        const std::string all = co_await reading;
        // (No ASSERT_* in a coroutine: EXPECT_TRUE on the whole comparison instead.)
        EXPECT_EQ(all.size(), head.size() + f.content.size() + 4);
        EXPECT_TRUE(all == head + f.content + "tail") << "bytes differ or are out of order";
        EXPECT_EQ(::lseek(f.fd, 0, SEEK_CUR), 0) << "the file position must not move";
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(f),
      k_real);
}

TEST(stream_sendfile, offset_and_count) {
  const temp_file f(100000);
  aio_test::run(
      [](const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        auto reading = aio::create_task(read_all(std::move(r)));
        EXPECT_EQ(co_await peer.writer.sendfile(f.fd, 1000, 5000), 5000U);
        EXPECT_EQ(co_await peer.writer.sendfile(f.fd, 99990), 10U);          // to the end
        EXPECT_EQ(co_await peer.writer.sendfile(f.fd, 99000, 5000), 1000U);  // the file ends first
        EXPECT_EQ(co_await peer.writer.sendfile(f.fd, 200000), 0U);          // past the end
        EXPECT_EQ(co_await peer.writer.sendfile(f.fd, 5, 0), 0U);
        peer.writer.close();
        const std::string all = co_await reading;
        EXPECT_EQ(all, f.content.substr(1000, 5000) + f.content.substr(99990) + f.content.substr(99000));
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(f),
      k_real);
}

TEST(stream_sendfile, writes_made_meanwhile_follow_the_file) {
  const temp_file f(std::size_t{16} << 20);
  aio_test::run(
      [](const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        auto sending = aio::create_task(peer.writer.sendfile(f.fd));
        co_await aio::sleep(50ms);  // nobody reads: the socket is full and sendfile waits
        EXPECT_FALSE(sending.done());
        peer.writer.write("after");  // queued behind the file, not sent into its middle
        peer.writer.close();         // waits for the sendfile, then flushes, then closes
        const std::string all = co_await read_all(std::move(r));
        EXPECT_EQ(co_await sending, f.content.size());
        EXPECT_EQ(all.size(), f.content.size() + 5);
        EXPECT_TRUE(all == f.content + "after") << "bytes differ or are out of order";
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(f),
      k_real);
}

TEST(stream_sendfile, peer_closing_mid_transfer_is_a_system_error_not_sigpipe) {
  const temp_file f(std::size_t{16} << 20);
  aio_test::run(
      [](const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        auto sending = aio::create_task(peer.writer.sendfile(f.fd));
        const std::string first = co_await r.read(65536);  // the transfer is under way
        EXPECT_FALSE(first.empty());
        w.abort();  // the peer goes away (a reset)
        int code = 0;
        try {
          (void)co_await sending;
        } catch (const std::system_error& e) {
          code = e.code().value();
        }
        EXPECT_TRUE(code == EPIPE || code == ECONNRESET) << code;
        // The stream recorded it: drain() reports the same failure.
        int drain_code = 0;
        try {
          co_await peer.writer.drain();
        } catch (const std::system_error& e) {
          drain_code = e.code().value();
        }
        EXPECT_EQ(drain_code, code);
        peer.writer.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(f),
      k_real);
}

TEST(stream_sendfile, sendfile_to_a_reset_connection_is_epipe_not_sigpipe) {
  const temp_file f(4096);
  aio_test::run(
      [](const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        peer.writer.write("unread");
        co_await aio::sleep(50ms);
        w.abort();  // closing with unread data: the kernel sends a reset
        // Reading takes the reset (ECONNRESET), so the next send on the socket is EPIPE: the case
        // where the kernel raises SIGPIPE, which would end this test program.
        try {
          while (!(co_await peer.reader.read(100)).empty()) {
          }
        } catch (const std::system_error&) {  // NOLINT(bugprone-empty-catch): the reset, expected
        }
        int code = 0;
        try {
          (void)co_await peer.writer.sendfile(f.fd);
        } catch (const std::system_error& e) {
          code = e.code().value();
        }
        EXPECT_EQ(code, EPIPE);
        peer.writer.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(f),
      k_real);
}

TEST(stream_sendfile, cancellation_stops_and_the_writer_stays_usable) {
  const temp_file f(std::size_t{16} << 20);
  aio_test::run(
      [](const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        bool timed_out = false;
        try {
          (void)co_await aio::wait_for(peer.writer.sendfile(f.fd), 100ms);  // nobody reads
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        peer.writer.write("after");
        peer.writer.close();
        const std::string all = co_await read_all(std::move(r));
        // A prefix of the file, then what was written after the cancellation.
        const std::size_t prefix = all.size() >= 5 ? all.size() - 5 : 0;
        EXPECT_GT(prefix, 0U);
        EXPECT_LT(prefix, f.content.size());
        EXPECT_TRUE(all.size() >= 5 && all.compare(0, prefix, f.content, 0, prefix) == 0);
        EXPECT_TRUE(all.ends_with("after"));
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(f),
      k_real);
}

TEST(stream_sendfile, abort_while_waiting_reports_econnaborted) {
  const temp_file f(std::size_t{16} << 20);
  aio_test::run(
      [](const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        auto sending = aio::create_task(peer.writer.sendfile(f.fd));
        co_await aio::sleep(50ms);
        peer.writer.abort();
        int code = 0;
        try {
          (void)co_await sending;
        } catch (const std::system_error& e) {
          code = e.code().value();
        }
        EXPECT_EQ(code, ECONNABORTED);
        EXPECT_THROW((void)co_await peer.writer.sendfile(f.fd), std::runtime_error);
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(f),
      k_real);
}

TEST(stream_sendfile, bad_file_and_closed_stream) {
  aio_test::run(
      []() -> aio::coro<> {
        one_connection peer;
        aio::server srv = co_await accept_one(peer);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await peer.ready.wait();
        int code = 0;
        try {
          (void)co_await peer.writer.sendfile(-1, 0, 10);
        } catch (const std::system_error& e) {
          code = e.code().value();
        }
        EXPECT_EQ(code, EBADF);
        peer.writer.write("still fine");
        peer.writer.close();
        EXPECT_EQ(co_await read_all(std::move(r)), "still fine");
        EXPECT_THROW((void)co_await peer.writer.sendfile(0, 0, 1), std::runtime_error);
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(stream_sendfile, tls_streams_use_the_fallback) {
  const aio_test::test_certs* c = &aio_test::certs();
  const temp_file f(std::size_t{3} << 20);
  aio_test::run(
      [](const aio_test::test_certs* c, const temp_file& f) -> aio::coro<> {
        one_connection peer;
        aio::server_options so;
        so.ssl = aio::ssl_context::server(c->server_cert, c->server_key);
        aio::server srv = co_await accept_one(peer, so);
        aio::ssl_context ctx = aio::ssl_context::client();
        ctx.load_verify_locations(c->ca);
        aio::connection_options co;
        co.ssl = ctx;
        co.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), co);
        co_await peer.ready.wait();
        auto reading = aio::create_task(read_all(std::move(r)));
        peer.writer.write("head:");
        EXPECT_EQ(co_await peer.writer.sendfile(f.fd, 7), f.content.size() - 7);
        peer.writer.write(":tail");
        peer.writer.close();
        const std::string all = co_await reading;
        EXPECT_TRUE(all == "head:" + f.content.substr(7) + ":tail") << all.size();
        w.close();
        peer.reset();
        srv.close();
        co_await srv.wait_closed();
      }(c, f),
      k_real);
}

}  // namespace
