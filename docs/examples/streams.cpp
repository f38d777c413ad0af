// docs/guide/streams.md: the guide's blocks, completed and run against real loopback sockets
// (aio_test::run checks that no task, timer or fd leaked).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "test_support.hpp"

namespace {

using aio_test::k_real;

// ---- the echo server and its client
std::string echoed;

aio::coro<> handle(aio::stream_reader reader, aio::stream_writer writer) {
  for (;;) {
    std::string line = co_await reader.readline();  // "" at EOF
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();  // flow control: waits while 64 KiB are queued
  }
}

aio::coro<> main_() {
  aio::server srv = co_await aio::start_server(&handle, "127.0.0.1", 0);
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", srv.port());
  writer.write("hello\n");
  std::string echo = co_await reader.readline();
  echoed = echo;
  writer.close();
  co_await writer.wait_closed();
  srv.close();
  co_await srv.wait_closed();
}

TEST(DocStreams, EchoServer) {
  aio_test::run(main_(), k_real);
  EXPECT_EQ(echoed, "hello\n");
}

// ---- sendfile
aio::coro<std::uint64_t> send_file(aio::stream_writer& writer, int fd, std::uint64_t size) {
  writer.write("SIZE " + std::to_string(size) + "\n");  // queued first...
  co_return co_await writer.sendfile(fd, 0, size);      // ...then the file, from the page cache
}

/// A temporary file holding `content`, unlinked at once: the fd keeps it alive.
int temp_file(const std::string& content) {
  char path[] = "/tmp/aio-doc-sendfile-XXXXXX";
  const int fd = ::mkstemp(path);
  ::unlink(path);
  if (fd < 0 || ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    std::abort();
  return fd;
}

aio::coro<std::string> sendfile_main(int fd, std::uint64_t size) {
  aio::client_connected_cb serve = [fd, size](aio::stream_reader, aio::stream_writer w) -> aio::coro<> {
    const std::uint64_t sent = co_await send_file(w, fd, size);
    EXPECT_EQ(sent, size);
    w.close();
    co_await w.wait_closed();
  };
  aio::server srv = co_await aio::start_server(std::move(serve), "127.0.0.1", 0);
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", srv.port());
  const std::string head = co_await reader.readline();
  std::string body = co_await reader.read();  // to EOF
  writer.close();
  co_await writer.wait_closed();
  srv.close();
  co_await srv.wait_closed();
  co_return head + body;
}

TEST(DocStreams, SendfileAfterAWrite) {
  std::string content(3 << 20, '\0');  // 3 MiB: several sendfile(2) calls on loopback
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
  const int fd = temp_file(content);
  const std::string got = aio_test::run(sendfile_main(fd, content.size()), k_real);
  ::close(fd);
  EXPECT_EQ(got, "SIZE " + std::to_string(content.size()) + "\n" + content);
}

// ---- a callback with state
struct chat_room {
  int joined = 0;
  aio::coro<> handle(aio::stream_reader, aio::stream_writer w) {  // by value: the lambda's parameters die
    ++joined;
    w.write("welcome\n");
    co_await w.drain();
    w.close();
  }
};

aio::coro<std::string> room_main(chat_room& room) {
  aio::server srv = co_await aio::start_server(
      [&room](aio::stream_reader r, aio::stream_writer w) { return room.handle(r, w); }, "127.0.0.1", 0);
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", srv.port());
  std::string line = co_await reader.readline();
  writer.close();
  co_await writer.wait_closed();
  srv.close();
  co_await srv.wait_closed();
  co_return line;
}

TEST(DocStreams, CallbackWithState) {
  chat_room room;
  EXPECT_EQ(aio_test::run(room_main(room), k_real), "welcome\n");
  EXPECT_EQ(room.joined, 1);
}

}  // namespace
