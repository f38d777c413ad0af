// client_session against hostile servers (issue 13): decompression bombs, endless 1xx responses, a
// server that keeps the socket full. Each server is a child process on raw sockets (fork), so it can
// write as fast as the kernel takes bytes while the client's loop runs alone in this process, and its
// memory does not count in this process's RSS, which the bomb tests measure from /proc/self/status.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "../../../../src/http/compression.hpp"
#include "aio/aio.hpp"
#include "aio/http/client.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace http = aio::http;
using http::detail::content_coding;

namespace {

using aio_test::k_real;
constexpr std::size_t k_mib = std::size_t{1} << 20;

/// A server in a child process: accepts connections one after another, reads each request's head,
/// then runs `behaviour(fd)`. Killed when the object goes.
class hostile_peer {
 public:
  explicit hostile_peer(const std::function<void(int)>& behaviour) {
    const int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (lfd < 0 || ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd, 8) != 0 ||
        ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("hostile_peer: cannot listen");
    }
    m_port = ntohs(a.sin_port);
    m_pid = ::fork();
    if (m_pid < 0) throw std::runtime_error("hostile_peer: fork failed");
    if (m_pid == 0) {
      ::signal(SIGPIPE, SIG_IGN);
      for (;;) {
        const int fd = ::accept(lfd, nullptr, nullptr);
        if (fd < 0) ::_exit(0);
        if (read_head(fd)) behaviour(fd);
        ::close(fd);
      }
    }
    ::close(lfd);
  }
  hostile_peer(const hostile_peer&) = delete;
  hostile_peer& operator=(const hostile_peer&) = delete;
  ~hostile_peer() {
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/"; }

  /// Sends all of `data`; false once the client is gone.
  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Waits until the client closes the connection.
  static void wait_gone(int fd) {
    char buf[4096];
    while (::recv(fd, buf, sizeof buf, 0) > 0) {
    }
  }

 private:
  static bool read_head(int fd) {
    std::string head;
    char c = 0;
    while (head.size() < 65536) {
      if (::recv(fd, &c, 1, 0) != 1) return false;
      head += c;
      if (head.ends_with("\r\n\r\n")) return true;
    }
    return false;
  }

  pid_t m_pid = -1;
  std::uint16_t m_port = 0;
};

/// `n` zeros compressed with `coding` (streamed: the zeros are never all in memory).
std::string bomb(content_coding coding, std::size_t n) {
  http::detail::compressor c(coding, 9);
  const std::string zeros(std::size_t{1} << 20, '\0');
  std::string out;
  for (std::size_t done = 0; done < n; done += zeros.size()) c.feed(zeros, out);
  c.finish(out);
  return out;
}

std::string bomb_response(content_coding coding, const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Encoding: " + std::string(http::detail::content_coding_name(coding)) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// A field of /proc/self/status in bytes ("VmHWM", "VmRSS").
std::size_t proc_status(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field + ":")) return std::stoul(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

/// Resets VmHWM to the current RSS (Linux >= 4.0); false when the kernel refuses.
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

/// How much the peak RSS rose above `baseline` (VmRSS when the measure began).
struct rss_probe {
  std::size_t baseline;
  bool reset;
  rss_probe() : baseline(proc_status("VmRSS")), reset(reset_peak_rss()) {}
  [[nodiscard]] std::size_t growth() const {
    const std::size_t peak = proc_status("VmHWM");
    return peak > baseline ? peak - baseline : 0;
  }
};

/// The peak RSS of what ran since `rss` began rose by less than 16 MiB (the bombs inflate to 40-64).
void expect_bounded(const rss_probe& rss) {
  ASSERT_TRUE(rss.reset) << "cannot reset VmHWM (/proc/self/clear_refs)";
  EXPECT_LT(rss.growth(), 16 * k_mib) << "peak RSS rose by " << rss.growth() / k_mib << " MiB";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- decompression bombs ------------------------------------------------------------------------

/// `read()` of a 64 MiB bomb under a 1 MiB limit: client_payload_error, memory bounded.
void read_bomb(content_coding coding) {
  const std::string wire = bomb_response(coding, bomb(coding, 64 * k_mib));
  ASSERT_LT(wire.size(), 1 * k_mib);  // the attack is cheap on the wire
  hostile_peer peer([&wire](int fd) {
    if (hostile_peer::send_all(fd, wire)) hostile_peer::wait_gone(fd);
  });
  const rss_probe rss;
  aio_test::run(
      [](std::string url) -> aio::coro<> {
        http::client_session session({.max_decompress_size = 1 * k_mib});
        std::string what;
        try {
          auto resp = co_await session.get(url);
          const std::string body = co_await resp.read();
          what = "<no error, " + std::to_string(body.size()) + " bytes>";
        } catch (const http::client_payload_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("max_decompress_size (1048576 bytes)"), std::string::npos) << what;
        EXPECT_EQ(session.active_connections(), 0U);
        co_await session.close();
      }(peer.url()),
      k_real);
  expect_bounded(rss);
}

TEST(client_hostile, gzip_bomb_read_stops_at_the_limit) { read_bomb(content_coding::gzip); }
TEST(client_hostile, deflate_bomb_read_stops_at_the_limit) { read_bomb(content_coding::deflate); }

TEST(client_hostile, bomb_streaming_read_stops_at_the_limit) {
  const std::string wire = bomb_response(content_coding::gzip, bomb(content_coding::gzip, 64 * k_mib));
  hostile_peer peer([&wire](int fd) {
    if (hostile_peer::send_all(fd, wire)) hostile_peer::wait_gone(fd);
  });
  const rss_probe rss;
  aio_test::run(
      [](std::string url) -> aio::coro<> {
        http::client_session session;
        // The request's own limit replaces the session's 32 MiB.
        auto resp = co_await session.get(url, {.max_decompress_size = 2 * k_mib});
        std::size_t total = 0;
        std::string what;
        try {
          for (;;) {
            const std::string chunk = co_await resp.content().read_chunk(SIZE_MAX);
            if (chunk.empty()) break;
            total += chunk.size();
          }
          what = "<no error>";
        } catch (const http::client_payload_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("max_decompress_size (2097152 bytes)"), std::string::npos) << what;
        EXPECT_LE(total, 2 * k_mib);
        EXPECT_TRUE(resp.closed());
        co_await session.close();
      }(peer.url()),
      k_real);
  expect_bounded(rss);
}

TEST(client_hostile, default_limit_is_32_mib) {
  const std::string wire = bomb_response(content_coding::deflate, bomb(content_coding::deflate, 40 * k_mib));
  hostile_peer peer([&wire](int fd) {
    if (hostile_peer::send_all(fd, wire)) hostile_peer::wait_gone(fd);
  });
  aio_test::run(
      [](std::string url) -> aio::coro<> {
        http::client_session session;
        auto resp = co_await session.get(url);
        std::size_t total = 0;
        std::string what;
        try {
          for (;;) {
            const std::string chunk = co_await resp.content().read_chunk(SIZE_MAX);
            if (chunk.empty()) break;
            total += chunk.size();
          }
        } catch (const http::client_payload_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("(33554432 bytes)"), std::string::npos) << what;
        EXPECT_EQ(total, 32 * k_mib);  // everything up to the limit was handed out
        co_await session.close();
      }(peer.url()),
      k_real);
}

TEST(client_hostile, one_small_chunk_never_inflates_at_once) {
  // No limit at all (0): a 16 MiB bomb is read to its end, but each step decodes a bounded piece, so
  // a read_chunk never returns (and the client never holds) more than 256 KiB of it at once.
  const std::string wire = bomb_response(content_coding::gzip, bomb(content_coding::gzip, 16 * k_mib));
  hostile_peer peer([&wire](int fd) {
    if (hostile_peer::send_all(fd, wire)) hostile_peer::wait_gone(fd);
  });
  aio_test::run(
      [](std::string url) -> aio::coro<> {
        http::client_session session({.max_decompress_size = 0});
        auto resp = co_await session.get(url);
        std::size_t total = 0;
        std::size_t largest = 0;
        bool all_zero = true;
        for (;;) {
          const std::string chunk = co_await resp.content().read_chunk(SIZE_MAX);
          if (chunk.empty()) break;
          total += chunk.size();
          largest = std::max(largest, chunk.size());
          all_zero = all_zero && chunk.find_first_not_of('\0') == std::string::npos;
        }
        EXPECT_EQ(total, 16 * k_mib);
        EXPECT_LE(largest, 256 * std::size_t{1024});
        EXPECT_TRUE(all_zero);
        co_await session.close();
      }(peer.url()),
      k_real);
}

// ---- 1xx responses and a server that keeps the socket full -------------------------------------

/// Sends `piece` over and over until the client goes.
std::function<void(int)> flood(std::string piece) {
  return [piece = std::move(piece)](int fd) {
    while (hostile_peer::send_all(fd, piece)) {
    }
  };
}

std::string continues(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += "HTTP/1.1 100 Continue\r\n\r\n";
  return s;
}

TEST(client_hostile, endless_100_continue_is_an_error_after_the_bound) {
  hostile_peer peer(flood(continues(2048)));
  aio_test::run(
      [](std::string url) -> aio::coro<> {
        http::client_session session;
        const auto t0 = std::chrono::steady_clock::now();
        std::string what;
        try {
          co_await session.get(url, {.timeout = http::client_timeout{.total = 10s}});
          what = "<no error>";
        } catch (const http::bad_response_error& e) {
          what = e.what();
        }
        EXPECT_NE(what.find("more than 16 interim (1xx) responses"), std::string::npos) << what;
        EXPECT_LT(seconds_since(t0), 1.0);
        co_await session.close();
      }(peer.url()),
      k_real);
}

TEST(client_hostile, interim_bound_is_configurable) {
  // 20 interim responses, then the answer: refused with the default 16, accepted with 20.
  const std::string wire = continues(19) + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" +
                           "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  hostile_peer peer([&wire](int fd) {
    if (hostile_peer::send_all(fd, wire)) hostile_peer::wait_gone(fd);
  });
  aio_test::run(
      [](std::string url) -> aio::coro<> {
        {
          http::client_session session;
          EXPECT_THROW(co_await session.get(url), http::bad_response_error);
          co_await session.close();
        }
        http::client_session session({.max_interim_responses = 20});
        auto resp = co_await session.get(url);
        EXPECT_EQ(resp.status(), 200);
        EXPECT_EQ(co_await resp.text(), "ok");
        co_await session.close();
      }(peer.url()),
      k_real);
}

/// A request whose total timeout is 1 s against `peer`: it must end with client_timeout_error(total)
/// at the deadline, while another task's 10 ms ticks keep coming on time.
// The longest another task may wait for the loop meanwhile. The starvation this guards against (issue
// 13, row 4) lasted 11.8 s or forever; under ASan, on a 2-core machine whose other core runs the peer and
// another test, a fair loop was seen waiting 0.43 s, so the bound is wider there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double k_worst_tick = 1.0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr double k_worst_tick = 1.0;
#else
constexpr double k_worst_tick = 0.25;
#endif
#else
constexpr double k_worst_tick = 0.25;
#endif

void expect_total_timeout_on_time(const hostile_peer& peer, bool stream_body, std::size_t max_interim) {
  aio_test::run(
      [](std::string url, bool stream_body, std::size_t max_interim) -> aio::coro<> {
        http::client_session session({.max_interim_responses = max_interim});
        bool done = false;
        double worst_tick = 0;
        auto ticker = aio::create_task([](bool& done, double& worst) -> aio::coro<> {
          while (!done) {
            const auto t = std::chrono::steady_clock::now();
            co_await aio::sleep(10ms);
            worst = std::max(worst, seconds_since(t));
          }
        }(done, worst_tick));
        const auto t0 = std::chrono::steady_clock::now();
        std::string what;
        try {
          auto resp = co_await session.get(url, {.timeout = http::client_timeout{.total = 1s}});
          if (stream_body) {
            while (!(co_await resp.content().read_chunk(SIZE_MAX)).empty()) {
            }
          }
          what = "<no error>";
        } catch (const http::client_timeout_error& e) {
          what = e.kind() == http::timeout_kind::total ? "total" : e.what();
        }
        const double elapsed = seconds_since(t0);
        done = true;
        co_await ticker;
        EXPECT_EQ(what, "total");
        EXPECT_GE(elapsed, 0.95);
        EXPECT_LT(elapsed, 1.5) << "the total timeout fired late";
        EXPECT_LT(worst_tick, k_worst_tick) << "another task waited " << worst_tick << " s for the loop";
        co_await session.close();
      }(peer.url(), stream_body, max_interim),
      k_real);
}

TEST(client_hostile, total_timeout_fires_during_a_1xx_flood) {
  // Without the interim bound, the flood never ends; the total timeout still must.
  hostile_peer peer(flood(continues(2048)));
  expect_total_timeout_on_time(peer, false, SIZE_MAX);
}

TEST(client_hostile, total_timeout_fires_while_the_body_never_ends) {
  // A chunked body that keeps the socket full: every read completes in place.
  std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
  hostile_peer peer([&chunk](int fd) {
    if (!hostile_peer::send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
    while (hostile_peer::send_all(fd, chunk)) {
    }
  });
  expect_total_timeout_on_time(peer, true, 16);
}

TEST(client_hostile, total_timeout_fires_during_a_100_continue_drip) {
  // One byte every 10 ms: each 100 Continue takes 0.26 s, the bound is never reached in 1 s.
  hostile_peer peer([](int fd) {
    const std::string one = continues(1);
    for (;;) {
      for (char c : one) {
        if (!hostile_peer::send_all(fd, std::string_view(&c, 1))) return;
        std::this_thread::sleep_for(10ms);
      }
    }
  });
  expect_total_timeout_on_time(peer, false, 16);
}

}  // namespace
