#pragma once
// Hostile peers for the HTTP server's tests (hostile_output_test.cpp, soak_test.cpp): attackers forked
// into child processes on raw blocking sockets (their memory is not the server's, and their bytes are
// exactly what a hostile client sends), the server's peak RSS from /proc/self/status, and an app with
// the routes they attack.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>

#include "aio/http/server.hpp"
#include "server_test_util.hpp"

// Under AddressSanitizer, freed blocks wait in a quarantine (256 MiB by default) before their memory is
// reused, so the peak RSS these tests bound would count every message the server ever freed, not what
// it holds. A small quarantine keeps use-after-free detection and lets the bound measure aio.
#if defined(__SANITIZE_ADDRESS__)
#define AIO_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AIO_TEST_ASAN 1
#endif
#endif
#ifdef AIO_TEST_ASAN
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=4"; }  // NOLINT
#endif

namespace hostile {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;
using namespace std::chrono_literals;

constexpr std::size_t k_mib = std::size_t{1} << 20;

/// A field of /proc/self/status in bytes ("VmHWM", "VmRSS").
inline std::size_t proc_status(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field + ":")) return std::stoul(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

/// How much the peak RSS rose above VmRSS when the probe began (VmHWM reset through clear_refs).
struct rss_probe {
  std::size_t baseline = proc_status("VmRSS");
  bool reset = [] {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    out.flush();
    return out.good();
  }();
  [[nodiscard]] std::size_t growth() const {
    const std::size_t peak = proc_status("VmHWM");
    return peak > baseline ? peak - baseline : 0;
  }
};

/// A hostile client in a child process: connects to the port, sends `first` once, then `loop`
/// over and over (never reading, or with `reads`, reading everything the server sends back as fast
/// as it comes), or, with an empty `loop`, just stays connected until killed.
/// Everything is prepared before fork(): the child only makes system calls.
class forked_peer {
 public:
  forked_peer(std::uint16_t port, std::string first, std::string loop, bool reads = false)
      : m_first(std::move(first)), m_loop(std::move(loop)), m_reads(reads) {
    m_pid = ::fork();
    if (m_pid == 0) child(port);
  }
  forked_peer(const forked_peer&) = delete;
  forked_peer& operator=(const forked_peer&) = delete;
  ~forked_peer() { stop(); }
  void stop() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
  }
  [[nodiscard]] bool started() const noexcept { return m_pid > 0; }

 private:
  [[noreturn]] void child(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) ::_exit(2);
    if (!send_all(fd, m_first)) ::_exit(0);
    if (m_reads) send_and_read(fd);
    while (!m_loop.empty()) {
      if (!send_all(fd, m_loop)) ::_exit(0);  // the server hung up on us
    }
    for (;;) ::pause();
  }
  /// Sends `m_loop` over and over and reads whatever arrives, never blocking on either.
  [[noreturn]] void send_and_read(int fd) {
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    std::size_t off = 0;
    char sink[65536];
    for (;;) {
      pollfd p{.fd = fd, .events = POLLIN | POLLOUT, .revents = 0};
      if (::poll(&p, 1, -1) < 0) ::_exit(0);
      if ((p.revents & POLLIN) != 0 && ::recv(fd, sink, sizeof sink, 0) == 0) ::_exit(0);
      if ((p.revents & POLLOUT) != 0) {
        const ssize_t n = ::send(fd, m_loop.data() + off, m_loop.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN) ::_exit(0);
        if (n > 0) off = (off + static_cast<std::size_t>(n)) % m_loop.size();
      }
      if ((p.revents & (POLLERR | POLLHUP)) != 0) ::_exit(0);
    }
  }
  static bool send_all(int fd, const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  std::string m_first;
  std::string m_loop;
  bool m_reads;
  pid_t m_pid = -1;
};

/// `count` masked 125-byte pings (mask key 0: the payload travels as is).
inline std::string masked_pings(int count) {
  std::string one = "\x89\xfd";
  one.append(4, '\0');
  one.append(125, 'p');
  std::string all;
  for (int i = 0; i < count; ++i) all += one;
  return all;
}

/// A masked text frame of `n` bytes (n < 126).
inline std::string masked_text(std::size_t n) {
  std::string f = "\x81";
  f += static_cast<char>(0x80 | n);
  f.append(4, '\0');
  f.append(n, 't');
  return f;
}

inline const std::string k_upgrade =
    "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// What the WebSocket handler saw at the end.
struct ws_outcome {
  bool ended = false;
  aio::http::ws_msg_type last = aio::http::ws_msg_type::text;
  std::uint16_t code = 0;
  bool timeout_error = false;  // exception() (or the failed send) was an aio::timeout_error
  std::chrono::steady_clock::time_point at{};
};

inline double since(std::chrono::steady_clock::time_point t0, std::chrono::steady_clock::time_point t1) {
  return std::chrono::duration<double>(t1 - t0).count();
}

/// The app: "/" is small, "/big" 1 MiB, "/ws" a WebSocket that receives (`echo`: and echoes) until
/// the end, "/upload" reads the body.
struct test_app {
  aio::http::application app;
  ws_outcome outcome;
  std::optional<int> body_error;    // the status of the http_error the body read threw
  std::optional<int> stream_error;  // the errno of the system_error a /stream write threw
  std::chrono::steady_clock::time_point stream_ended{};
  std::optional<std::chrono::duration<double>> ws_send_timeout = std::chrono::seconds(60);
  bool echo = false;

  test_app() {
    app.router().add_get("/", [](request&) -> coro<response> { co_return aio::http::text_response("home"); });
    app.router().add_get("/big", [](request&) -> coro<response> {
      co_return aio::http::text_response(std::string(k_mib, 'b'));
    });
    app.router().add_get("/ws", [this](request& req) -> coro<response> {
      aio::http::websocket_response ws({.send_timeout = ws_send_timeout});
      co_await ws.prepare(req);
      try {
        for (;;) {
          aio::http::ws_message m = co_await ws.receive();
          this->outcome.last = m.type;
          if (m.type == aio::http::ws_msg_type::text && echo) co_await ws.send_str(m.data);
          if (m.type == aio::http::ws_msg_type::closed || m.type == aio::http::ws_msg_type::close ||
              m.type == aio::http::ws_msg_type::error) {
            break;
          }
        }
      } catch (const aio::timeout_error&) {
        this->outcome.timeout_error = true;
      }
      this->outcome.code = ws.close_code().value_or(0);
      if (const std::exception_ptr e = ws.connection().exception()) {
        try {
          std::rethrow_exception(e);
        } catch (const aio::timeout_error&) {
          this->outcome.timeout_error = true;
        } catch (...) {  // NOLINT(bugprone-empty-catch): another failure: timeout_error stays false
        }
      }
      this->outcome.ended = true;
      this->outcome.at = std::chrono::steady_clock::now();
      co_return ws;
    });
    app.router().add_get("/stream", [this](request& req) -> coro<response> {
      aio::http::stream_response resp;
      co_await resp.prepare(req);
      const std::string piece(64 * 1024, 's');
      try {
        for (;;) co_await resp.write(piece);
      } catch (const std::system_error& e) {
        stream_error = e.code().value();
        stream_ended = std::chrono::steady_clock::now();
      }
      co_return resp;
    });
    app.router().add_post("/upload", [this](request& req) -> coro<response> {
      try {
        const std::string body = co_await req.text();
        co_return aio::http::text_response(std::to_string(body.size()));
      } catch (const aio::http::http_error& e) {
        body_error = e.status();
        throw;
      }
    });
  }
};

/// A normal client served while the attacker attacks: GET / on its own connection, answered fast.
inline coro<> expect_others_served(std::uint16_t port, std::chrono::duration<double> for_how_long) {
  const auto t_end = std::chrono::steady_clock::now() + for_how_long;
  int served = 0;
  while (std::chrono::steady_clock::now() < t_end) {
    auto c = co_await raw_client::connect(port);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = co_await aio::wait_for(c.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 2s);
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(since(t0, std::chrono::steady_clock::now()), 0.5);
    ++served;
    co_await aio::sleep(100ms);
  }
  EXPECT_GT(served, 0);
}

inline coro<> wait_connected(aio::http::app_server& srv, std::size_t n) {
  for (int i = 0; i < 400 && srv.connection_count() < n; ++i) co_await aio::sleep(5ms);
  EXPECT_GE(srv.connection_count(), n);
}

inline std::string pipelined_big(int n) {
  std::string all;
  for (int i = 0; i < n; ++i) all += "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  return all;
}

}  // namespace hostile
