// The cooperative budget (include/aio/detail/coop_budget.hpp): a task whose operations always complete
// in place (a peer that streams faster than it reads, a peer that reads faster than it writes) still
// lets the loop run, so its own timeout fires on time and other tasks keep their turns. Each peer is a
// thread on a plain blocking socket, so it is never slowed down by the loop it floods.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

/// A thread on the other end of a socket: it writes without pause (`firehose`) or reads without pause
/// (`sink`) until stopped, then closes its end.
class peer_thread {
 public:
  enum class role : std::uint8_t { firehose, sink };
  peer_thread(int fd, role r)
      : m_fd(fd), m_thread([this, r] { r == role::firehose ? write_loop() : read_loop(); }) {}
  peer_thread(const peer_thread&) = delete;
  peer_thread& operator=(const peer_thread&) = delete;
  ~peer_thread() { stop(); }
  void stop() {
    if (!m_thread.joinable()) return;
    m_stop = true;
    ::shutdown(m_fd, SHUT_RDWR);  // unblocks a send() or recv() in progress
    m_thread.join();
    ::close(m_fd);
  }

 private:
  void write_loop() {
    const std::string chunk(16384, 'x');
    while (!m_stop && ::send(m_fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) > 0) {
    }
  }
  void read_loop() {
    char buf[65536];
    while (!m_stop && ::recv(m_fd, buf, sizeof buf, 0) > 0) {
    }
  }
  int m_fd;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

/// Counts loop turns from its own task while the test's task works.
struct ticker {
  int ticks = 0;
  bool stop = false;
  aio::coro<> run() {
    while (!stop) {
      ++ticks;
      co_await aio::sleep(1ms);
    }
  }
};

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// A blocking TCP client connected to 127.0.0.1:`port` (connect completes in the kernel's backlog).
int connect_blocking(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0);
  return fd;
}

/// A connected TCP pair on loopback: a non-blocking end for aio and a blocking end for a peer thread.
/// (A Unix socketpair would not do: its writer stalls for long stretches while the reader drains it.)
std::pair<int, int> tcp_pair() {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(listener, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::listen(listener, 1), 0);
  EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const int theirs = connect_blocking(ntohs(a.sin_port));
  const int mine = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  ::close(listener);
  return {mine, theirs};
}

TEST(coop_budget, sock_recv_from_a_firehose_yields_so_its_timeout_fires_and_others_run) {
  aio_test::run(
      []() -> aio::coro<> {
        const auto [mine, theirs] = tcp_pair();
        peer_thread peer(theirs, peer_thread::role::firehose);
        ticker tick;
        aio::task<> ticking = aio::create_task(tick.run());
        std::size_t received = 0;
        const auto t0 = std::chrono::steady_clock::now();
        bool timed_out = false;
        try {
          co_await aio::wait_for(
              [](int fd, std::size_t& received) -> aio::coro<> {
                for (;;) received += (co_await aio::sock_recv(fd, 100)).size();
              }(mine, received),
              100ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_LT(seconds(t0), 1.0);
        EXPECT_GT(received, 0U);
        EXPECT_GT(tick.ticks, 5);  // about one per millisecond when nothing starves the loop
        tick.stop = true;
        co_await ticking;
        peer.stop();
        ::close(mine);
      }(),
      k_real);
}

TEST(coop_budget, stream_reads_and_drains_against_fast_peers_yield) {
  aio_test::run(
      []() -> aio::coro<> {
        // The connected handler reads from a firehose (first connection) or writes to a sink (second),
        // each under a 100 ms timeout; with every read and drain completing in place, only the budget
        // lets the loop run the timeout's timer.
        struct outcome {
          bool timed_out = false;
          double seconds = 0;
        };
        outcome reading;
        outcome writing;
        int connections = 0;
        auto srv = co_await aio::start_server(
            [&](aio::stream_reader reader, aio::stream_writer writer) -> aio::coro<> {
              outcome& o = connections++ == 0 ? reading : writing;
              const auto t0 = std::chrono::steady_clock::now();
              try {
                if (&o == &reading) {
                  co_await aio::wait_for(
                      [](aio::stream_reader& r) -> aio::coro<> {
                        for (;;) co_await r.read(100);
                      }(reader),
                      100ms);
                } else {
                  co_await aio::wait_for(
                      [](aio::stream_writer& w) -> aio::coro<> {
                        const std::string line(100, 'y');
                        for (;;) {
                          w.write(line);
                          co_await w.drain();
                        }
                      }(writer),
                      100ms);
                }
              } catch (const aio::timeout_error&) {
                o.timed_out = true;
              }
              o.seconds = seconds(t0);
              writer.close();
              co_await writer.wait_closed();
            },
            "127.0.0.1", 0);
        const std::uint16_t port = srv.port();
        ticker tick;
        aio::task<> ticking = aio::create_task(tick.run());
        {
          peer_thread firehose(connect_blocking(port), peer_thread::role::firehose);
          for (int i = 0; i < 300 && reading.seconds == 0; ++i) co_await aio::sleep(10ms);
        }
        {
          peer_thread sink(connect_blocking(port), peer_thread::role::sink);
          for (int i = 0; i < 300 && writing.seconds == 0; ++i) co_await aio::sleep(10ms);
        }
        EXPECT_TRUE(reading.timed_out);
        EXPECT_LT(reading.seconds, 1.0);
        EXPECT_TRUE(writing.timed_out);
        EXPECT_LT(writing.seconds, 1.0);
        EXPECT_GT(tick.ticks, 10);
        tick.stop = true;
        co_await ticking;
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

}  // namespace
