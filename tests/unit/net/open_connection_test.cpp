// open_connection / open_unix_connection: failure paths, IPv6, Unix sockets, Happy Eyeballs, and
// cancellation of a connect in flight.

#include "aio/net/open_connection.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <system_error>

#include "aio/aio.hpp"
#include "net_test_util.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

/// An echo server callback: one line back, then close.
aio::client_connected_cb echo_line() {
  return [](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
    const std::string line = co_await r.readline();
    w.write(line);
    co_await w.drain();
    w.close();
    co_await w.wait_closed();
  };
}

/// Sends one line through a fresh connection pair and returns the echo.
aio::coro<std::string> round_trip(aio::stream_reader r, aio::stream_writer w, std::string line) {
  w.write(line);
  co_await w.drain();
  std::string got = co_await r.readline();
  w.close();
  co_await w.wait_closed();
  co_return got;
}

std::string temp_socket_path(const char* name) {
  return "/tmp/aio_test_" + std::to_string(::getpid()) + "_" + name + ".sock";
}

TEST(open_connection, a_refused_connection_names_the_address) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::uint16_t port = net_test::refusing_port("127.0.0.1");
        bool refused = false;
        try {
          co_await aio::open_connection("127.0.0.1", port);
        } catch (const std::system_error& e) {
          refused = e.code() == std::errc::connection_refused;
          EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos)
              << e.what();
        }
        EXPECT_TRUE(refused);
      }(),
      k_real);
}

TEST(open_connection, ipv6_loopback) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::server srv = co_await aio::start_server(echo_line(), "::1", 0);
        auto [r, w] = co_await aio::open_connection("::1", srv.port());
        const std::string got = co_await round_trip(r, w, "over ipv6\n");
        EXPECT_EQ(got, "over ipv6\n");
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(open_connection, unix_sockets_replace_a_stale_file) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::string path = temp_socket_path("stale");
        {
          // A stale socket file: bound, then closed without unlinking.
          const aio::socket_address a = aio::socket_address::unix_path(path);
          net_test::fd_guard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
          ::unlink(path.c_str());
          EXPECT_EQ(::bind(fd.get(), static_cast<const sockaddr*>(a.data()), a.size()), 0);
        }
        struct stat st {};
        EXPECT_EQ(::stat(path.c_str(), &st), 0);
        aio::server srv = co_await aio::start_unix_server(echo_line(), path);
        auto [r, w] = co_await aio::open_unix_connection(path);
        const std::string got = co_await round_trip(r, w, "over unix\n");
        EXPECT_EQ(got, "over unix\n");
        srv.close();
        co_await srv.wait_closed();
        EXPECT_NE(::stat(path.c_str(), &st), 0);  // removed on close
      }(),
      k_real);
}

TEST(open_connection, a_unix_path_too_long_is_invalid_argument) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::string path = "/tmp/" + std::string(200, 'p');
        bool client_rejected = false;
        try {
          co_await aio::open_unix_connection(path);
        } catch (const std::invalid_argument& e) {
          client_rejected = std::string(e.what()).find("Unix socket path") != std::string::npos;
        }
        EXPECT_TRUE(client_rejected);
        bool server_rejected = false;
        try {
          co_await aio::start_unix_server(echo_line(), path);
        } catch (const std::invalid_argument&) {
          server_rejected = true;
        }
        EXPECT_TRUE(server_rejected);
        bool missing = false;
        try {
          co_await aio::open_unix_connection(temp_socket_path("missing"));
        } catch (const std::system_error& e) {
          missing = e.code() == std::errc::no_such_file_or_directory;
        }
        EXPECT_TRUE(missing);
      }(),
      k_real);
}

TEST(open_connection, cancelling_a_blocked_connect_leaks_nothing) {
  aio_test::run(
      []() -> aio::coro<> {
        net_test::hanging_listener slow = net_test::make_hanging_listener("127.0.0.1");
        const std::size_t fds = aio_test::open_fd_count();
        bool timed_out = false;
        try {
          co_await aio::wait_for(aio::open_connection("127.0.0.1", slow.port()), 50ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(aio_test::open_fd_count(), fds);
        // The same through task.cancel().
        auto t = aio::create_task(aio::open_connection("127.0.0.1", slow.port()));
        co_await aio::sleep(10ms);
        t.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(t);
        EXPECT_TRUE(cancelled);
        EXPECT_EQ(aio_test::open_fd_count(), fds);
      }(),
      k_real);
}

TEST(open_connection, happy_eyeballs_delay) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::server srv = co_await aio::start_server(echo_line(), "127.0.0.1", 0);
        const aio::connection_options opts{.happy_eyeballs_delay = 50ms};
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        const std::string got = co_await round_trip(r, w, "raced\n");
        EXPECT_EQ(got, "raced\n");

        // "localhost" with a hanging listener on ::1 and a server on 127.0.0.1 at the same port: whatever
        // the resolver answers (both, or only 127.0.0.1 here), the connection reaches the server.
        net_test::hanging_listener slow6 = net_test::make_hanging_listener("::1", srv.port());
        auto [r2, w2] = co_await aio::open_connection("localhost", srv.port(), opts);
        const std::string got2 = co_await round_trip(r2, w2, "localhost\n");
        EXPECT_EQ(got2, "localhost\n");
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

}  // namespace
