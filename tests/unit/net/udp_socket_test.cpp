// udp_socket over real loopback sockets (IPv4 and IPv6): datagrams, connected sockets, ICMP errors,
// truncation, cancellation, several receivers, close while waiting, and options.

#include "aio/net/udp_socket.hpp"

#include <sys/socket.h>

#include <string>
#include <system_error>

#include "aio/aio.hpp"
#include "net_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

TEST(udp_socket, send_to_and_recv_from_over_ipv4) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
        aio::udp_socket client = co_await aio::udp_socket::bind("127.0.0.1", 0);
        const aio::socket_address server_addr = server.local_address();
        EXPECT_EQ(server_addr.host(), "127.0.0.1");
        EXPECT_NE(server_addr.port(), 0);
        const std::size_t sent = co_await client.send_to("hello", server_addr);
        EXPECT_EQ(sent, 5U);
        aio::datagram d = co_await server.recv_from();
        EXPECT_EQ(d.data, "hello");
        EXPECT_EQ(d.from, client.local_address());
        EXPECT_FALSE(d.truncated);
        co_await server.send_to("HELLO", d.from);
        aio::datagram reply = co_await client.recv_from();
        EXPECT_EQ(reply.data, "HELLO");
        EXPECT_EQ(reply.from, server_addr);
      }(),
      k_real);
}

TEST(udp_socket, send_to_and_recv_from_over_ipv6) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("::1", 0);
        aio::udp_socket client = co_await aio::udp_socket::bind("::1", 0);
        EXPECT_EQ(server.local_address().family(), AF_INET6);
        co_await client.send_to("six", server.local_address());
        aio::datagram d = co_await server.recv_from();
        EXPECT_EQ(d.data, "six");
        EXPECT_EQ(d.from.to_string(), "[::1]:" + std::to_string(client.local_address().port()));
      }(),
      k_real);
}

TEST(udp_socket, connected_send_and_recv) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
        aio::udp_socket client =
            co_await aio::udp_socket::connect_to("127.0.0.1", server.local_address().port());
        EXPECT_EQ(client.remote_address(), server.local_address());
        co_await client.send("ping");
        aio::datagram d = co_await server.recv_from();
        EXPECT_EQ(d.data, "ping");
        co_await server.send_to("pong", d.from);
        const std::string got = co_await client.recv();
        EXPECT_EQ(got, "pong");

        // connect() on a bound socket, by name.
        aio::udp_socket other = co_await aio::udp_socket::bind("127.0.0.1", 0);
        co_await other.connect("localhost", server.local_address().port());
        co_await other.send("by name");
        aio::datagram d2 = co_await server.recv_from();
        EXPECT_EQ(d2.data, "by name");
        EXPECT_EQ(d2.from, other.local_address());
      }(),
      k_real);
}

TEST(udp_socket, port_unreachable_is_reported_by_the_next_recv_on_a_connected_socket) {
  aio_test::run(
      []() -> aio::coro<> {
        std::uint16_t port = 0;
        {
          aio::udp_socket gone = co_await aio::udp_socket::bind("127.0.0.1", 0);
          port = gone.local_address().port();
        }  // closed: nobody listens on `port` now
        aio::udp_socket client = co_await aio::udp_socket::connect_to("127.0.0.1", port);
        co_await client.send("anyone?");
        bool refused = false;
        try {
          co_await aio::wait_for(client.recv(), 5s);
        } catch (const std::system_error& e) {
          refused = e.code() == std::errc::connection_refused;
          EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos)
              << e.what();
        }
        EXPECT_TRUE(refused);
      }(),
      k_real);
}

TEST(udp_socket, a_long_datagram_is_truncated_and_flagged) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
        aio::udp_socket client = co_await aio::udp_socket::bind("127.0.0.1", 0);
        const std::string big(100, 'x');
        co_await client.send_to(big, server.local_address());
        co_await client.send_to("next", server.local_address());
        aio::datagram d = co_await server.recv_from(10);
        EXPECT_EQ(d.data, std::string(10, 'x'));
        EXPECT_TRUE(d.truncated);
        aio::datagram n = co_await server.recv_from(10);
        EXPECT_EQ(n.data, "next");  // the rest of the long one was discarded, not delivered
        EXPECT_FALSE(n.truncated);
      }(),
      k_real);
}

TEST(udp_socket, zero_length_datagrams_and_several_queued_ones) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
        aio::udp_socket client = co_await aio::udp_socket::bind("127.0.0.1", 0);
        co_await client.send_to("", server.local_address());
        for (int i = 0; i < 5; ++i) {
          const std::string payload = std::to_string(i);  // named: not a temporary inside co_await
          co_await client.send_to(payload, server.local_address());
        }
        aio::datagram empty = co_await server.recv_from();
        EXPECT_EQ(empty.data, "");
        EXPECT_EQ(empty.from, client.local_address());
        for (int i = 0; i < 5; ++i) {
          aio::datagram d = co_await server.recv_from();  // all queued: none waits for a new edge
          EXPECT_EQ(d.data, std::to_string(i));
        }
      }(),
      k_real);
}

TEST(udp_socket, a_cancelled_recv_from_loses_no_datagram) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
        aio::udp_socket client = co_await aio::udp_socket::bind("127.0.0.1", 0);
        bool timed_out = false;
        try {
          co_await aio::wait_for(server.recv_from(), 20ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        // A parked receiver is woken by the datagram.
        auto t = aio::create_task(server.recv_from());
        co_await aio::sleep(0s);  // t parks in recvmsg
        co_await client.send_to("kept", server.local_address());
        aio::datagram d = co_await t;
        EXPECT_EQ(d.data, "kept");
        // Cancelled while parked, then a datagram: the next call gets it.
        auto t2 = aio::create_task(server.recv_from());
        co_await aio::sleep(0s);
        t2.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(t2);
        EXPECT_TRUE(cancelled);
        co_await client.send_to("after", server.local_address());
        aio::datagram d2 = co_await server.recv_from();
        EXPECT_EQ(d2.data, "after");
      }(),
      k_real);
}

TEST(udp_socket, several_receivers_take_turns) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
        aio::udp_socket client = co_await aio::udp_socket::bind("127.0.0.1", 0);
        auto a = aio::create_task(server.recv_from());
        auto b = aio::create_task(server.recv_from());
        co_await aio::sleep(0s);
        co_await client.send_to("one", server.local_address());
        co_await client.send_to("two", server.local_address());
        aio::datagram da = co_await a;
        aio::datagram db = co_await b;
        EXPECT_EQ(da.data, "one");  // FIFO: the first receiver gets the first datagram
        EXPECT_EQ(db.data, "two");
        // Several senders at once.
        auto s1 = aio::create_task(client.send_to("x", server.local_address()));
        auto s2 = aio::create_task(client.send_to("y", server.local_address()));
        co_await aio::gather(s1, s2);
        aio::datagram dx = co_await server.recv_from();
        aio::datagram dy = co_await server.recv_from();
        EXPECT_EQ(dx.data + dy.data, "xy");
      }(),
      k_real);
}

TEST(udp_socket, close_while_a_task_receives_throws_ebadf_and_leaks_nothing) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket server = co_await aio::udp_socket::bind("127.0.0.1", 0);
        auto t = aio::create_task(server.recv_from());
        co_await aio::sleep(0s);
        server.close();
        EXPECT_TRUE(server.is_closed());
        EXPECT_EQ(server.fd(), -1);
        bool ebadf = false;
        try {
          co_await t;
        } catch (const std::system_error& e) {
          ebadf = e.code() == std::errc::bad_file_descriptor;
          EXPECT_TRUE(ebadf) << e.what();
        } catch (...) {
          ADD_FAILURE() << "unexpected exception";
        }
        EXPECT_TRUE(ebadf);
        bool closed_error = false;
        try {
          co_await server.send_to("x", *aio::socket_address::from_ip("127.0.0.1", 9));
        } catch (const std::system_error& e) {
          closed_error = e.code() == std::errc::bad_file_descriptor;
        }
        EXPECT_TRUE(closed_error);
        server.close();  // idempotent
      }(),
      k_real);
}

TEST(udp_socket, moving_keeps_the_socket_and_destroying_closes_it) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::size_t fds = aio_test::open_fd_count();
        aio::udp_socket a = co_await aio::udp_socket::bind("127.0.0.1", 0);
        EXPECT_EQ(aio_test::open_fd_count(), fds + 1);
        const aio::socket_address addr = a.local_address();
        aio::udp_socket b = std::move(a);
        EXPECT_TRUE(a.is_closed());  // NOLINT(bugprone-use-after-move): a moved-from socket is empty
        EXPECT_EQ(b.local_address(), addr);
        { aio::udp_socket c = std::move(b); }
        EXPECT_EQ(aio_test::open_fd_count(), fds);
      }(),
      k_real);
}

TEST(udp_socket, bind_errors_name_the_address_and_reuse_port_shares_it) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket first = co_await aio::udp_socket::bind("127.0.0.1", 0);
        const std::uint16_t port = first.local_address().port();
        bool in_use = false;
        try {
          co_await aio::udp_socket::bind("127.0.0.1", port);
        } catch (const std::system_error& e) {
          in_use = e.code() == std::errc::address_in_use;
          EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos);
        }
        EXPECT_TRUE(in_use);

        const aio::udp_options shared{.reuse_port = true};
        aio::udp_socket r1 = co_await aio::udp_socket::bind("127.0.0.1", 0, shared);
        aio::udp_socket r2 = co_await aio::udp_socket::bind("127.0.0.1", r1.local_address().port(), shared);
        EXPECT_EQ(r1.local_address(), r2.local_address());
      }(),
      k_real);
}

TEST(udp_socket, options_and_the_wildcard_host) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::udp_options broadcast{.allow_broadcast = true};
        aio::udp_socket any = co_await aio::udp_socket::bind("", 0, broadcast);
        EXPECT_EQ(any.local_address().host(), "0.0.0.0");
        int on = 0;
        socklen_t len = sizeof on;
        ::getsockopt(any.fd(), SOL_SOCKET, SO_BROADCAST, &on, &len);
        EXPECT_EQ(on, 1);
        const aio::udp_options v6{.family = AF_INET6};
        aio::udp_socket any6 = co_await aio::udp_socket::bind("", 0, v6);
        EXPECT_EQ(any6.local_address().host(), "::");
        // A dual-stack wildcard receives IPv4 datagrams too (from a v4-mapped address).
        aio::udp_socket client = co_await aio::udp_socket::bind("127.0.0.1", 0);
        co_await client.send_to("v4",
                                *aio::socket_address::from_ip("127.0.0.1", any6.local_address().port()));
        aio::datagram d = co_await any6.recv_from();
        EXPECT_EQ(d.data, "v4");
        EXPECT_EQ(d.from.host(), "::ffff:127.0.0.1");
      }(),
      k_real);
}

TEST(udp_socket, sending_to_an_address_of_the_other_family_names_it) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::udp_socket v4 = co_await aio::udp_socket::bind("127.0.0.1", 0);
        bool failed = false;
        try {
          co_await v4.send_to("x", *aio::socket_address::from_ip("::1", 9));
        } catch (const std::system_error& e) {
          failed = std::string(e.what()).find("[::1]:9") != std::string::npos;
        }
        EXPECT_TRUE(failed);
      }(),
      k_real);
}

}  // namespace
