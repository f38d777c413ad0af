// The loop.sock_* family on caller-owned non-blocking sockets: socketpairs, TCP and UDP on loopback.

#include "aio/net/sock_ops.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <string>
#include <system_error>

#include "aio/aio.hpp"
#include "net_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using net_test::fd_guard;

namespace {

using aio_test::k_real;

struct pair_fds {
  fd_guard a;
  fd_guard b;
};

pair_fds nonblocking_pair(int type = SOCK_STREAM) {
  int sv[2] = {-1, -1};
  ::socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
  return {fd_guard(sv[0]), fd_guard(sv[1])};
}

TEST(sock_ops, a_blocking_socket_is_rejected_with_invalid_argument) {
  aio_test::run(
      []() -> aio::coro<> {
        pair_fds p = nonblocking_pair();
        net_test::set_nonblocking(p.a.get(), false);
        bool rejected = false;
        try {
          co_await aio::sock_recv(p.a.get(), 10);
        } catch (const std::invalid_argument& e) {
          rejected = std::string(e.what()).find("non-blocking") != std::string::npos;
        }
        EXPECT_TRUE(rejected);
        bool rejected_send = false;
        try {
          co_await aio::sock_sendall(p.a.get(), "x");
        } catch (const std::invalid_argument&) {
          rejected_send = true;
        }
        EXPECT_TRUE(rejected_send);
      }(),
      k_real);
}

TEST(sock_ops, recv_waits_for_data_and_sendall_sends_everything) {
  aio_test::run(
      []() -> aio::coro<> {
        pair_fds p = nonblocking_pair();
        const int a = p.a.get();
        const int b = p.b.get();
        auto reader = aio::create_task(aio::sock_recv(b, 100));
        co_await aio::sleep(0s);
        EXPECT_FALSE(reader.done());  // nothing yet: parked
        co_await aio::sock_sendall(a, "hello");
        const std::string got = co_await reader;
        EXPECT_EQ(got, "hello");
        std::array<char, 8> buf{};
        co_await aio::sock_sendall(a, "into");
        const std::size_t n = co_await aio::sock_recv_into(b, buf);
        EXPECT_EQ(std::string(buf.data(), n), "into");
        p.a.reset();
        const std::string eof = co_await aio::sock_recv(b, 100);
        EXPECT_EQ(eof, "");
      }(),
      k_real);
}

/// Reads `total` bytes from `fd` in chunks.
aio::coro<std::size_t> drain(int fd, std::size_t total) {
  std::size_t got = 0;
  while (got < total) {
    const std::string chunk = co_await aio::sock_recv(fd, 65536);
    if (chunk.empty()) break;
    got += chunk.size();
  }
  co_return got;
}

TEST(sock_ops, one_fd_can_receive_in_one_task_and_send_a_lot_in_another) {
  aio_test::run(
      []() -> aio::coro<> {
        pair_fds p = nonblocking_pair();
        const int a = p.a.get();
        const int b = p.b.get();
        const std::string big(4 * 1024 * 1024, 'z');
        // a waits to receive while it also sends far more than the socket buffer holds: both calls
        // share a's registration.
        auto a_reader = aio::create_task(aio::sock_recv(a, 16));
        auto b_reader = aio::create_task(drain(b, big.size()));
        co_await aio::sock_sendall(a, big);
        const std::size_t got = co_await b_reader;
        EXPECT_EQ(got, big.size());
        co_await aio::sock_sendall(b, "reply");
        const std::string reply = co_await a_reader;
        EXPECT_EQ(reply, "reply");
      }(),
      k_real);
}

TEST(sock_ops, connect_and_accept_over_tcp) {
  aio_test::run(
      []() -> aio::coro<> {
        fd_guard lsn = net_test::listener("127.0.0.1", 0, 16, true);
        const aio::socket_address addr = net_test::local_address(lsn.get());
        auto acceptor = aio::create_task(aio::sock_accept(lsn.get()));
        co_await aio::sleep(0s);
        fd_guard client(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        co_await aio::sock_connect(client.get(), addr);
        aio::accepted_socket acc = co_await acceptor;
        fd_guard server(acc.fd);
        EXPECT_GE(acc.fd, 0);
        EXPECT_EQ(acc.address, net_test::local_address(client.get()));
        co_await aio::sock_sendall(client.get(), "over tcp");
        const std::string got = co_await aio::sock_recv(server.get(), 100);
        EXPECT_EQ(got, "over tcp");
      }(),
      k_real);
}

TEST(sock_ops, a_refused_connect_names_the_address) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::uint16_t port = net_test::refusing_port("127.0.0.1");
        fd_guard client(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        bool refused = false;
        try {
          co_await aio::sock_connect(client.get(), *aio::socket_address::from_ip("127.0.0.1", port));
        } catch (const std::system_error& e) {
          refused = e.code() == std::errc::connection_refused;
          EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos);
        }
        EXPECT_TRUE(refused);
      }(),
      k_real);
}

TEST(sock_ops, sendto_and_recvfrom_over_udp) {
  aio_test::run(
      []() -> aio::coro<> {
        fd_guard s = net_test::bound_socket("127.0.0.1", 0, SOCK_DGRAM, true);
        fd_guard c = net_test::bound_socket("127.0.0.1", 0, SOCK_DGRAM, true);
        auto receiver = aio::create_task(aio::sock_recvfrom(s.get(), 4));
        co_await aio::sleep(0s);
        const std::size_t n =
            co_await aio::sock_sendto(c.get(), "datagram", net_test::local_address(s.get()));
        EXPECT_EQ(n, 8U);
        aio::datagram d = co_await receiver;
        EXPECT_EQ(d.data, "data");
        EXPECT_TRUE(d.truncated);
        EXPECT_EQ(d.from, net_test::local_address(c.get()));
      }(),
      k_real);
}

TEST(sock_ops, cancelled_calls_lose_nothing_and_leak_nothing) {
  aio_test::run(
      []() -> aio::coro<> {
        pair_fds p = nonblocking_pair();
        bool timed_out = false;
        try {
          co_await aio::wait_for(aio::sock_recv(p.b.get(), 10), 10ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        co_await aio::sock_sendall(p.a.get(), "still here");
        const std::string got = co_await aio::sock_recv(p.b.get(), 100);
        EXPECT_EQ(got, "still here");

        // A cancelled accept leaves the connection in the backlog for the next one.
        fd_guard lsn = net_test::listener("127.0.0.1", 0, 16, true);
        bool accept_timed_out = false;
        try {
          co_await aio::wait_for(aio::sock_accept(lsn.get()), 10ms);
        } catch (const aio::timeout_error&) {
          accept_timed_out = true;
        }
        EXPECT_TRUE(accept_timed_out);
        fd_guard client(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        co_await aio::sock_connect(client.get(), net_test::local_address(lsn.get()));
        aio::accepted_socket acc = co_await aio::sock_accept(lsn.get());
        fd_guard server(acc.fd);
        EXPECT_GE(acc.fd, 0);

        // Waiting sends: fill the buffer, then cancel a sendall parked for space.
        pair_fds q = nonblocking_pair();
        const std::string big(8 * 1024 * 1024, 'q');
        bool send_timed_out = false;
        try {
          co_await aio::wait_for(aio::sock_sendall(q.a.get(), big), 10ms);
        } catch (const aio::timeout_error&) {
          send_timed_out = true;
        }
        EXPECT_TRUE(send_timed_out);
      }(),
      k_real);
}

TEST(sock_ops, an_fd_watched_by_add_reader_is_refused_when_a_call_must_wait) {
  aio_test::run(
      []() -> aio::coro<> {
        pair_fds p = nonblocking_pair();
        aio::event_loop& loop = aio::get_running_loop();
        // io_uring keeps level-triggered watches apart from operations (the call would just wait):
        // the precondition is checked only where the backend can see the conflict.
        if (std::string(loop.backend_name()) != "epoll") co_return;
        loop.add_reader(p.b.get(), [] {});
        bool refused = false;
        try {
          co_await aio::sock_recv(p.b.get(), 10);
        } catch (const std::logic_error& e) {
          refused = std::string(e.what()).find("add_reader") != std::string::npos;
        }
        loop.remove_reader(p.b.get());
        EXPECT_TRUE(refused);
      }(),
      k_real);
}

}  // namespace
