// file_response: large files (sent with sendfile), multi-range requests (multipart/byteranges), 416,
// coalescing and the range cap; with raw sockets (curl: tests/integration/http/server/interop_test.cpp).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aio/http/server.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;

using aio_test::k_real;

struct temp_file {
  std::filesystem::path path;
  std::string content;
  explicit temp_file(std::string c) : content(std::move(c)) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("aio_file_response_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".txt");
    std::ofstream(path, std::ios::binary) << content;
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() { std::filesystem::remove(path); }
};

std::string big_content(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 88172645U;
  for (char& c : s) {
    x ^= x << 13U;
    x ^= x >> 17U;
    x ^= x << 5U;
    c = static_cast<char>('a' + x % 26);
  }
  return s;
}

aio::http::application file_app(const std::filesystem::path& p) {
  aio::http::application app;
  app.router().add_get("/file", [p](request&) -> coro<response> { co_return aio::http::file_response(p); });
  return app;
}

TEST(HttpFileResponse, LargeFileWholeAndRanged) {
  const temp_file f(big_content(std::size_t{6} << 20));
  auto app = file_app(f.path);
  aio_test::run(
      [](aio::http::application& app, const temp_file& f) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body.size(), f.content.size());
        EXPECT_TRUE(r.body == f.content);
        // Keep-alive still works after a sendfile body, and a range in the middle of a big file.
        auto r2 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=3000000-3999999\r\n\r\n");
        EXPECT_EQ(r2.status, 206);
        EXPECT_TRUE(r2.body == f.content.substr(3000000, 1000000));
        c.close();
        co_await srv.shutdown();
      }(app, f),
      k_real);
}

TEST(HttpFileResponse, MultipleRangesAreMultipartByteranges) {
  const temp_file f("0123456789abcdefghijklmnopqrstuvwxyz");  // 36 bytes
  auto app = file_app(f.path);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3, -4\r\n\r\n");
        EXPECT_EQ(r.status, 206);
        const std::string ct(r.headers.get("Content-Type", ""));
        EXPECT_TRUE(ct.starts_with("multipart/byteranges; boundary=")) << ct;
        EXPECT_FALSE(r.headers.contains("Content-Range"));
        EXPECT_EQ(r.headers.get("Content-Length", ""), std::to_string(r.body.size()));
        auto parts = parse_byteranges(ct, r.body);
        EXPECT_EQ(parts.size(), 2U);
        if (parts.size() == 2) {
          EXPECT_EQ(parts[0].data, "0123");
          EXPECT_EQ(parts[0].content_range, "bytes 0-3/36");
          EXPECT_EQ(parts[0].content_type, "text/plain; charset=utf-8");
          EXPECT_EQ(parts[1].data, "wxyz");
          EXPECT_EQ(parts[1].content_range, "bytes 32-35/36");
        }
        // In the order asked when they do not overlap; an unsatisfiable one is left out.
        auto r2 =
            co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=20-21,1-2,100-200\r\n\r\n");
        auto p2 = parse_byteranges(r2.headers.get("Content-Type", ""), r2.body);
        EXPECT_EQ(p2.size(), 2U);
        if (p2.size() == 2) {
          EXPECT_EQ(p2[0].data, "kl");
          EXPECT_EQ(p2[1].data, "12");
        }
        // Overlapping and adjacent ranges coalesce: one range left is a plain 206.
        auto r3 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=5-10,0-6,8-12\r\n\r\n");
        EXPECT_EQ(r3.status, 206);
        EXPECT_EQ(r3.body, "0123456789abc");
        EXPECT_EQ(r3.headers.get("Content-Range", ""), "bytes 0-12/36");
        // All unsatisfiable: 416.
        auto r4 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=40-50, 60-\r\n\r\n");
        EXPECT_EQ(r4.status, 416);
        EXPECT_EQ(r4.headers.get("Content-Range", ""), "bytes */36");
        // Malformed (one bad spec) or another unit: ignored, the whole file.
        auto r5 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,x-3\r\n\r\n");
        EXPECT_EQ(r5.status, 200);
        EXPECT_EQ(r5.body.size(), 36U);
        auto r6 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: items=0-1\r\n\r\n");
        EXPECT_EQ(r6.status, 200);
        // HEAD: the same head, no body.
        auto r7 = co_await c.request("HEAD /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-0,-1\r\n\r\n", true);
        EXPECT_EQ(r7.status, 206);
        EXPECT_TRUE(r7.headers.get("Content-Type", "").starts_with("multipart/byteranges"));
        EXPECT_NE(r7.headers.get("Content-Length", "0"), "0");
        EXPECT_EQ(r7.body, "");
        // A If-Range that does not match: the whole file.
        auto r8 = co_await c.request(
            "GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,4-5\r\nIf-Range: \"old\"\r\n\r\n");
        EXPECT_EQ(r8.status, 200);
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpFileResponse, TooManyRangesAreIgnored) {
  const temp_file f(big_content(100000));
  auto app = file_app(f.path);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        std::string many = "bytes=";
        for (int i = 0; i < 101; ++i)
          many += (i ? "," : "") + std::to_string(i * 500) + "-" + std::to_string(i * 500 + 1);
        auto r = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: " + many + "\r\n\r\n");
        EXPECT_EQ(r.status, 200);  // over the cap (100): the whole file, not 101 parts
        EXPECT_EQ(r.body.size(), 100000U);
        std::string hundred = "bytes=";
        for (int i = 0; i < 100; ++i)
          hundred += (i ? "," : "") + std::to_string(i * 500) + "-" + std::to_string(i * 500 + 1);
        auto r2 = co_await c.request("GET /file HTTP/1.1\r\nHost: x\r\nRange: " + hundred + "\r\n\r\n");
        EXPECT_EQ(r2.status, 206);
        EXPECT_EQ(parse_byteranges(r2.headers.get("Content-Type", ""), r2.body).size(), 100U);
        c.close();
        co_await srv.shutdown();
      }(app),
      k_real);
}

// ---- send_timeout: a client that stops reading a file is disconnected; a slow one is not ----------

/// A blocking client on a thread, with a small receive buffer so that the kernel cannot take the
/// whole file for it: sends GET /file, then reads `chunk` bytes every `pause` (never, with chunk 0)
/// until the server closes or `expect` bytes came.
class paced_reader {
 public:
  paced_reader(std::uint16_t port, std::size_t chunk, std::chrono::milliseconds pause, std::size_t expect)
      : m_thread([this, port, chunk, pause, expect] { run(port, chunk, pause, expect); }) {}
  paced_reader(const paced_reader&) = delete;
  paced_reader& operator=(const paced_reader&) = delete;
  ~paced_reader() {
    m_stop = true;
    m_thread.join();
  }
  [[nodiscard]] bool done() const { return m_done; }
  [[nodiscard]] std::size_t received() const { return m_received; }

 private:
  void run(std::uint16_t port, std::size_t chunk, std::chrono::milliseconds pause, std::size_t expect) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int rcvbuf = 64 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    const timeval tv{0, 50 * 1000};  // recv returns now and then, so that m_stop is seen
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) {
      const std::string_view req = "GET /file HTTP/1.1\r\nHost: x\r\n\r\n";
      (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
      std::vector<char> buf(std::max<std::size_t>(chunk, 1));
      while (!m_stop && m_received < expect) {
        if (chunk == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_WAITALL);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
        if (n > 0) m_received += static_cast<std::size_t>(n);
        std::this_thread::sleep_for(pause);
      }
    }
    ::close(fd);
    m_done = true;
  }

  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_done{false};
  std::atomic<std::size_t> m_received{0};
  std::thread m_thread;
};

/// A file of `n` bytes (a sparse one: zeros read from the page cache).
struct sparse_file {
  std::filesystem::path path;
  explicit sparse_file(std::uintmax_t n)
      : path(std::filesystem::temp_directory_path() /
             ("aio_file_response_sparse_" + std::to_string(::getpid()) + ".bin")) {
    std::ofstream(path, std::ios::binary).put('x');
    std::filesystem::resize_file(path, n);
  }
  sparse_file(const sparse_file&) = delete;
  sparse_file& operator=(const sparse_file&) = delete;
  ~sparse_file() { std::filesystem::remove(path); }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(HttpFileResponse, ClientThatStopsReadingAFileIsDisconnectedAfterTheSendTimeout) {
  const sparse_file f(std::uintmax_t{64} << 20);
  auto app = file_app(f.path);
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        using namespace std::chrono_literals;
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .send_timeout = 200ms});
        const auto t0 = std::chrono::steady_clock::now();
        const paced_reader client(srv.port(), 0, 0ms, SIZE_MAX);
        for (int i = 0; i < 100 && srv.connection_count() == 0; ++i) co_await aio::sleep(10ms);
        EXPECT_EQ(srv.connection_count(), 1U);
        for (int i = 0; i < 300 && srv.connection_count() != 0; ++i) co_await aio::sleep(10ms);
        EXPECT_EQ(srv.connection_count(), 0U);  // sendfile waited for a client that never read
        EXPECT_GE(seconds_since(t0), 0.2);
        EXPECT_LT(seconds_since(t0), 2.0);
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpFileResponse, SlowButSteadyReaderGetsTheWholeFile) {
  // send_timeout runs between two writes (nginx), not for the whole response: 16 MiB read 1 MiB every
  // 100 ms takes well over the 200 ms timeout and is never stopped.
  const std::uintmax_t size = std::uintmax_t{16} << 20;
  const sparse_file f(size);
  auto app = file_app(f.path);
  aio_test::run(
      [](aio::http::application& app, std::uintmax_t size) -> coro<> {
        using namespace std::chrono_literals;
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0, .send_timeout = 200ms});
        const auto t0 = std::chrono::steady_clock::now();
        const paced_reader client(srv.port(), std::size_t{1} << 20, 100ms, size);
        for (int i = 0; i < 1000 && !client.done(); ++i) co_await aio::sleep(10ms);
        EXPECT_TRUE(client.done());
        EXPECT_GE(client.received(), size);  // the head, then every byte of the file
        EXPECT_GE(seconds_since(t0), 0.6);   // so the timeout would have fired for the whole
        co_await srv.shutdown();
      }(app, size),
      k_real);
}

}  // namespace
