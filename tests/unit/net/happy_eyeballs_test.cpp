// Happy Eyeballs (src/net/connect_raced.cpp, RFC 8305) through the private connect_any, on loopback:
// listeners that accept, refuse, or hang (a full accept queue drops SYNs deterministically).

#include "../../../src/net/connect.hpp"

#include <sys/socket.h>

#include <string>
#include <system_error>
#include <vector>

#include "aio/aio.hpp"
#include "net_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

aio::socket_address ip(const char* host, std::uint16_t port) {
  return *aio::socket_address::from_ip(host, port);
}

double elapsed_since(aio::clock::time_point start) { return aio_test::seconds_since(start); }

TEST(happy_eyeballs, a_refused_first_address_starts_the_next_at_once) {
  aio_test::run(
      []() -> aio::coro<> {
        net_test::fd_guard ok = net_test::listener("127.0.0.1");
        const std::vector<aio::socket_address> addrs{ip("::1", net_test::refusing_port("::1")),
                                                     net_test::local_address(ok.get())};
        const auto start = aio::get_running_loop().time();
        const std::optional<std::chrono::duration<double>> delay = 5s;
        aio::detail::transport_ptr t = co_await aio::detail::connect_any(addrs, delay);
        EXPECT_LT(elapsed_since(start), 1.0);  // not after the 5 s delay
        EXPECT_EQ(net_test::peer_address(t->fd()), addrs[1]);
      }(),
      k_real);
}

TEST(happy_eyeballs, a_hanging_first_address_is_overtaken_after_the_delay_and_closed) {
  aio_test::run(
      []() -> aio::coro<> {
        net_test::hanging_listener slow = net_test::make_hanging_listener("::1");
        net_test::fd_guard ok = net_test::listener("127.0.0.1");
        const std::vector<aio::socket_address> addrs{ip("::1", slow.port()),
                                                     net_test::local_address(ok.get())};
        const auto start = aio::get_running_loop().time();
        const std::optional<std::chrono::duration<double>> delay = 50ms;
        const std::size_t fds = aio_test::open_fd_count();
        {
          aio::detail::transport_ptr t = co_await aio::detail::connect_any(addrs, delay);
          const double took = elapsed_since(start);
          EXPECT_GE(took, 0.045);
          EXPECT_LT(took, 0.9);  // the hanging SYN's first retransmission would come at 1 s
          EXPECT_EQ(net_test::peer_address(t->fd()), addrs[1]);
          EXPECT_EQ(aio_test::open_fd_count(), fds + 1);  // the losing attempt's socket is closed
        }
        EXPECT_EQ(aio_test::open_fd_count(), fds);
      }(),
      k_real);
}

TEST(happy_eyeballs, families_alternate_ipv6_first_and_a_total_failure_names_every_address) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::uint16_t p4a = net_test::refusing_port("127.0.0.1");
        const std::uint16_t p4b = net_test::refusing_port("127.0.0.1");
        const std::uint16_t p6a = net_test::refusing_port("::1");
        const std::uint16_t p6b = net_test::refusing_port("::1");
        const std::vector<aio::socket_address> addrs{ip("127.0.0.1", p4a), ip("127.0.0.1", p4b),
                                                     ip("::1", p6a), ip("::1", p6b)};
        const std::optional<std::chrono::duration<double>> delay = 5s;
        std::string what;
        bool refused = false;
        try {
          co_await aio::detail::connect_any(addrs, delay);
        } catch (const std::system_error& e) {
          what = e.what();
          refused = e.code() == std::errc::connection_refused;
        }
        EXPECT_TRUE(refused);
        const std::string expected = "aio: cannot connect to any of [::1]:" + std::to_string(p6a) +
                                     " (Connection refused), 127.0.0.1:" + std::to_string(p4a) +
                                     " (Connection refused), [::1]:" + std::to_string(p6b) +
                                     " (Connection refused), 127.0.0.1:" + std::to_string(p4b) +
                                     " (Connection refused)";
        EXPECT_EQ(what.substr(0, expected.size()), expected);
      }(),
      k_real);
}

TEST(happy_eyeballs, cancelling_the_race_closes_every_attempt) {
  aio_test::run(
      []() -> aio::coro<> {
        net_test::hanging_listener slow6 = net_test::make_hanging_listener("::1");
        net_test::hanging_listener slow4 = net_test::make_hanging_listener("127.0.0.1");
        const std::vector<aio::socket_address> addrs{ip("::1", slow6.port()), ip("127.0.0.1", slow4.port())};
        const std::optional<std::chrono::duration<double>> delay = 10ms;
        const std::size_t fds = aio_test::open_fd_count();
        bool timed_out = false;
        try {
          co_await aio::wait_for(aio::detail::connect_any(addrs, delay), 100ms);  // both attempts started
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(aio_test::open_fd_count(), fds);
      }(),
      k_real);
}

TEST(happy_eyeballs, without_a_delay_addresses_are_tried_in_turn) {
  aio_test::run(
      []() -> aio::coro<> {
        net_test::fd_guard ok = net_test::listener("127.0.0.1");
        const std::uint16_t refused = net_test::refusing_port("127.0.0.1");
        const std::vector<aio::socket_address> addrs{ip("127.0.0.1", refused),
                                                     net_test::local_address(ok.get())};
        aio::detail::transport_ptr t = co_await aio::detail::connect_any(addrs, std::nullopt);
        EXPECT_EQ(net_test::peer_address(t->fd()), addrs[1]);
      }(),
      k_real);
}

}  // namespace
