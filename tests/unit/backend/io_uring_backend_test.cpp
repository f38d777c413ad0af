// The io_uring backend through public APIs (and the operation awaiter): streams, cancellation that
// waits for the kernel, level-triggered fd watches, timers, cross-thread wake-ups, and how a backend is
// chosen (automatic, AIO_BACKEND). Skipped where the kernel does not allow io_uring.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "aio/aio.hpp"
#include "aio/io/detail/io_operation.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

constexpr aio_test::options k_uring{.backend = aio::backend::io_uring};
constexpr aio_test::options k_uring_real{.clock = aio::real_clock, .backend = aio::backend::io_uring};

bool io_uring_usable() {
  try {
    aio::event_loop loop(aio::loop_options{.backend = aio::backend::io_uring});
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

#define SKIP_WITHOUT_IO_URING() \
  if (!io_uring_usable()) GTEST_SKIP() << "io_uring is not available here"

/// Sets an environment variable for one scope.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

struct pipe_fds {
  pipe_fds() { EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0); }
  pipe_fds(const pipe_fds&) = delete;
  pipe_fds& operator=(const pipe_fds&) = delete;
  ~pipe_fds() {
    for (const int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  int fds[2] = {-1, -1};
};

TEST(io_uring_backend, tcp_echo_through_streams) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        EXPECT_STREQ(aio::get_running_loop().backend_name(), "io_uring");
        aio::client_connected_cb echo = [](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
          for (;;) {
            std::string chunk = co_await r.read(64 * 1024);
            if (chunk.empty()) break;
            w.write(chunk);
            co_await w.drain();
          }
          w.close();
          co_await w.wait_closed();
        };
        aio::server srv = co_await aio::start_server(std::move(echo), "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        w.write("hello\n");
        const std::string line = co_await r.readline();
        EXPECT_EQ(line, "hello\n");
        // More than the socket buffers hold: both sides wait for writability and readability.
        std::string big(8 * 1024 * 1024, '\0');
        for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
        w.write(big);
        w.write_eof();
        const std::string back = co_await r.read();
        EXPECT_EQ(back.size(), big.size());
        EXPECT_TRUE(back == big);
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_uring_real);
}

TEST(io_uring_backend, a_cancelled_read_waits_for_the_kernel_and_takes_nothing) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        pipe_fds p;
        aio::event_loop& loop = aio::get_running_loop();
        aio::detail::io_registration reg;
        reg.m_fd = p.fds[0];
        reg.m_is_socket = false;
        aio::detail::loop_access::attach_io(loop, reg);
        char buf[16] = {};
        std::int64_t got = 1;
        auto reader = aio::create_task([](aio::event_loop& l, aio::detail::io_registration& g, char* b,
                                          std::int64_t& out) -> aio::coro<> {
          aio::detail::io_operation op(l, g, aio::detail::io_kind::read);
          op.op().m_buf = b;
          op.op().m_len = 16;
          out = co_await op;  // an empty pipe: a native read in the kernel's hands
        }(loop, reg, buf, got));
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        EXPECT_NE(reg.m_reader, nullptr);  // the read is pending
        reader.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(reader);
        EXPECT_TRUE(cancelled);
        EXPECT_EQ(got, 1);  // the awaiter threw: no result was delivered
        EXPECT_EQ(reg.m_reader, nullptr);
        // The kernel consumed nothing: bytes written now are still in the pipe.
        EXPECT_EQ(::write(p.fds[1], "xyz", 3), 3);
        char check[8] = {};
        EXPECT_EQ(::read(p.fds[0], check, sizeof check), 3);
        EXPECT_EQ(buf[0], '\0');
        aio::detail::loop_access::detach_io(loop, reg);
      }(),
      k_uring);
}

TEST(io_uring_backend, a_pending_read_withdrawn_by_detach_reports_ecanceled) {
  SKIP_WITHOUT_IO_URING();
  for (const aio::backend_kind kind : {aio::backend::io_uring, aio::backend::epoll}) {
    aio_test::run(
        []() -> aio::coro<> {
          pipe_fds p;
          aio::event_loop& loop = aio::get_running_loop();
          aio::detail::io_registration reg;
          reg.m_fd = p.fds[0];
          reg.m_is_socket = false;
          aio::detail::loop_access::attach_io(loop, reg);
          char buf[4] = {};
          std::int64_t got = 0;
          auto reader = aio::create_task([](aio::event_loop& l, aio::detail::io_registration& g, char* b,
                                            std::int64_t& out) -> aio::coro<> {
            aio::detail::io_operation op(l, g, aio::detail::io_kind::read);
            op.op().m_buf = b;
            op.op().m_len = 4;
            out = co_await op;
          }(loop, reg, buf, got));
          co_await aio::sleep(0s);
          aio::detail::loop_access::detach_io(
              loop,
              reg);  // as a close: the pending read is withdrawn before the fd goes (both backends)
          EXPECT_EQ(reg.m_reader, nullptr);
          co_await reader;
          EXPECT_EQ(got, -ECANCELED);
        }(),
        {.backend = kind});
  }
}

/// Two reads whose completions land in one reap; each one's completion handler detaches the other's fd,
/// which waits for that read to let go of its buffer (as a stream closing from its send's completion).
struct read_pair {
  aio::event_loop* loop = nullptr;
  aio::detail::io_registration reg[2];
  aio::detail::io_op op[2];
  char buf[2][4] = {};
  int completions[2] = {0, 0};
  std::int64_t result[2] = {0, 0};

  static void on_done(aio::detail::io_op& op) noexcept {
    auto* self = static_cast<read_pair*>(op.m_context);
    const int i = &op == &self->op[0] ? 0 : 1;
    ++self->completions[i];
    self->result[i] = op.m_result;
    if (self->reg[1 - i].m_attached) aio::detail::loop_access::detach_io(*self->loop, self->reg[1 - i]);
  }
};

// The handler's synchronous wait must find the other completion in the batch its own reap is
// dispatching (it is out of the ring already): it once waited in io_uring_enter for it, forever.
TEST(io_uring_backend, a_completion_handler_waiting_for_a_completion_of_its_own_batch_finds_it) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        pipe_fds pipes[2];
        read_pair rp;
        rp.loop = &aio::get_running_loop();
        for (int k = 0; k < 2; ++k) {
          rp.reg[k].m_fd = pipes[k].fds[0];
          rp.reg[k].m_is_socket = false;
          aio::detail::loop_access::attach_io(*rp.loop, rp.reg[k]);
          aio::detail::io_op& op = rp.op[k];
          op.m_kind = aio::detail::io_kind::read;
          op.m_fd = pipes[k].fds[0];
          op.m_reg = &rp.reg[k];
          op.m_buf = rp.buf[k];
          op.m_len = sizeof rp.buf[k];
          op.m_complete = &read_pair::on_done;
          op.m_context = &rp;
          EXPECT_FALSE(aio::detail::loop_access::submit_io(*rp.loop, op));
        }
        co_await aio::sleep(0s);  // both reads are in the kernel
        EXPECT_EQ(::write(pipes[0].fds[1], "abcd", 4), 4);
        EXPECT_EQ(::write(pipes[1].fds[1], "efgh", 4), 4);
        for (int i = 0; i < 2000 && rp.completions[0] + rp.completions[1] < 2; ++i) co_await aio::sleep(1ms);
        EXPECT_EQ(rp.completions[0], 1);
        EXPECT_EQ(rp.completions[1], 1);
        EXPECT_TRUE(rp.result[0] == 4 || rp.result[1] == 4);  // the first one's, at least, is its data
        for (auto& reg : rp.reg) aio::detail::loop_access::detach_io(*rp.loop, reg);
      }(),
      k_uring_real);
}

TEST(io_uring_backend, a_loop_closed_with_a_parked_read_lets_the_kernel_go_first) {
  SKIP_WITHOUT_IO_URING();
  pipe_fds p;
  aio::detail::io_registration reg;
  reg.m_fd = p.fds[0];
  reg.m_is_socket = false;
  {
    aio::event_loop loop(aio::loop_options{.backend = aio::backend::io_uring});
    loop.set_exception_handler([](aio::event_loop&, const aio::exception_context&) {});
    aio::detail::loop_access::attach_io(loop, reg);
    auto t = loop.create_task([](aio::event_loop& l, aio::detail::io_registration& g) -> aio::coro<> {
      char buf[16];  // in the frame, which close() destroys while the kernel holds the read
      aio::detail::io_operation op(l, g, aio::detail::io_kind::read);
      op.op().m_buf = buf;
      op.op().m_len = sizeof buf;
      co_await op;
    }(loop, reg));
    loop.run_until([&] { return reg.m_reader != nullptr; });  // parked on its read
    EXPECT_NE(reg.m_reader, nullptr);
    t = {};
    loop.close();  // destroys the frame: the awaiter abandons its read and waits for the kernel
    aio::detail::loop_access::detach_io(loop, reg);
  }
  EXPECT_EQ(::write(p.fds[1], "abc", 3), 3);
  char check[8] = {};
  EXPECT_EQ(::read(p.fds[0], check, sizeof check), 3);  // nobody read them
}

/// Waits for `reg`'s fd to be readable (a stream's wait: no buffer in the kernel's hands).
aio::coro<std::int64_t> wait_readable(aio::event_loop& loop, aio::detail::io_registration& reg) {
  aio::detail::io_operation op(loop, reg, aio::detail::io_kind::readable);
  co_return co_await op;
}

/// Reads what the fd has through the backend, so that a short read clears the readiness cache.
std::int64_t drain(aio::event_loop& loop, aio::detail::io_registration& reg) {
  char buf[64];
  aio::detail::io_op op;
  op.m_kind = aio::detail::io_kind::recv;
  op.m_fd = reg.m_fd;
  op.m_reg = &reg;
  op.m_buf = buf;
  op.m_len = sizeof buf;
  return aio::detail::loop_access::try_io(loop, op) ? op.m_result : -EAGAIN;
}

/// A connected socket pair whose first end is registered with the running loop and drained (its
/// readiness cache says "not readable"); detached and closed at the end unless the test did so.
struct registered_pair {
  registered_pair() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    reg.m_fd = sv[0];
    aio::detail::loop_access::attach_io(loop, reg);
    EXPECT_EQ(drain(loop, reg), -EAGAIN);
  }
  registered_pair(const registered_pair&) = delete;
  registered_pair& operator=(const registered_pair&) = delete;
  ~registered_pair() {
    aio::detail::loop_access::detach_io(loop, reg);  // nothing if the test detached already
    close_end(0);
    close_end(1);
  }
  void close_end(int i) {
    if (sv[i] >= 0) ::close(sv[i]);
    sv[i] = -1;
  }

  aio::event_loop& loop = aio::get_running_loop();
  aio::detail::io_registration reg;
  int sv[2] = {-1, -1};
};

// Readiness waits on a registered fd are served by one multishot poll per registration (epoll's
// edge-triggered registration), not a poll armed and torn down per wait.
TEST(io_uring_backend, readiness_waits_park_and_one_poll_serves_them_all) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        registered_pair p;
        auto& [loop, reg, sv] = p;
        std::uint32_t generation = 0;
        for (int round = 0; round < 50; ++round) {
          auto waiter = aio::create_task(wait_readable(loop, reg));
          co_await aio::sleep(0s);
          co_await aio::sleep(0s);
          EXPECT_NE(reg.m_reader, nullptr);  // parked in the registration, not completed
          EXPECT_TRUE(reg.m_reader != nullptr && reg.m_reader->m_parked);
          EXPECT_TRUE(reg.m_polling);
          if (round == 0) generation = reg.m_poll_generation;
          EXPECT_EQ(reg.m_poll_generation, generation);  // the same poll, armed once
          EXPECT_EQ(::send(sv[1], "ping", 4, 0), 4);
          EXPECT_EQ(co_await waiter, 0);
          EXPECT_EQ(reg.m_reader, nullptr);
          EXPECT_EQ(drain(loop, reg), 4);
          EXPECT_EQ(drain(loop, reg), -EAGAIN);
        }
      }(),
      k_uring_real);
}

TEST(io_uring_backend, a_parked_readiness_wait_is_cancelled_at_once_and_the_fd_keeps_working) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        registered_pair p;
        auto& [loop, reg, sv] = p;
        auto waiter = aio::create_task(wait_readable(loop, reg));
        co_await aio::sleep(0s);
        EXPECT_NE(reg.m_reader, nullptr);
        waiter.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(waiter);
        EXPECT_TRUE(cancelled);
        EXPECT_EQ(reg.m_reader, nullptr);
        // The poll outlives the cancelled wait: data sent now completes the next wait.
        EXPECT_EQ(::send(sv[1], "x", 1, 0), 1);
        EXPECT_EQ(co_await aio::wait_for(wait_readable(loop, reg), 5s), 0);
        EXPECT_EQ(drain(loop, reg), 1);
        // A parked wait withdrawn by detach (a close) reports -ECANCELED.
        auto orphan = aio::create_task(wait_readable(loop, reg));
        co_await aio::sleep(0s);
        EXPECT_NE(reg.m_reader, nullptr);
        aio::detail::loop_access::detach_io(loop, reg);
        EXPECT_EQ(reg.m_reader, nullptr);
        EXPECT_EQ(co_await orphan, -ECANCELED);
      }(),
      k_uring_real);
}

// The poll holds a reference to the socket: detach must let go of it before the caller closes the fd,
// or the peer sees no end of stream until the loop's next turn (here, never: nothing polls).
TEST(io_uring_backend, a_socket_closed_after_detach_gives_its_peer_eof_at_once) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        registered_pair p;
        auto& [loop, reg, sv] = p;
        auto waiter = aio::create_task(wait_readable(loop, reg));
        co_await aio::sleep(0s);
        EXPECT_TRUE(reg.m_polling);
        EXPECT_EQ(::send(sv[1], "x", 1, 0), 1);
        EXPECT_EQ(co_await waiter, 0);
        EXPECT_EQ(drain(loop, reg), 1);  // unread bytes would make the close a reset
        // The peer's next byte wakes the poll, whose completion work DEFER_TASKRUN leaves pending: the
        // removal must still take (a POLL_REMOVE would fail with EALREADY then).
        EXPECT_EQ(::send(sv[1], "y", 1, 0), 1);
        aio::detail::loop_access::detach_io(loop, reg);
        char y = 0;
        EXPECT_EQ(::recv(sv[0], &y, 1, 0), 1);
        p.close_end(0);
        pollfd pfd{.fd = sv[1], .events = POLLIN, .revents = 0};
        EXPECT_EQ(::poll(&pfd, 1, 2000), 1);  // blocks the loop: only the kernel can end it
        char c = 0;
        EXPECT_EQ(::recv(sv[1], &c, 1, MSG_DONTWAIT), 0);  // end of stream
      }(),
      k_uring_real);
}

TEST(io_uring_backend, a_positional_read_of_a_regular_file_goes_to_the_kernel) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        char path[] = "/tmp/aio_io_uring_XXXXXX";
        const int fd = ::mkstemp(path);
        EXPECT_GE(fd, 0);
        ::unlink(path);
        EXPECT_EQ(::write(fd, "0123456789", 10), 10);
        aio::event_loop& loop = aio::get_running_loop();
        EXPECT_TRUE(aio::detail::loop_access::async_files(loop));
        aio::detail::io_registration reg;
        reg.m_fd = fd;
        reg.m_is_socket = false;
        aio::detail::loop_access::attach_io(loop, reg);
        char buf[4] = {};
        {
          aio::detail::io_operation op(loop, reg, aio::detail::io_kind::read);
          op.op().m_buf = buf;
          op.op().m_len = 4;
          op.op().m_offset = 3;
          EXPECT_FALSE(aio::detail::loop_access::try_io(
              loop, op.op()));  // never a syscall in place for a regular file
          const std::int64_t r = co_await op;
          EXPECT_EQ(r, 4);
        }
        EXPECT_EQ(std::string(buf, 4), "3456");
        aio::detail::loop_access::detach_io(loop, reg);
        ::close(fd);
      }(),
      k_uring);
}

TEST(io_uring_backend, add_reader_is_level_triggered) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        pipe_fds p;
        aio::event_loop& loop = aio::get_running_loop();
        int calls = 0;
        loop.add_reader(p.fds[0], [&calls] { ++calls; });  // never reads: the pipe stays readable
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        EXPECT_EQ(calls, 0);
        EXPECT_EQ(::write(p.fds[1], "x", 1), 1);
        for (int i = 0; i < 5 && calls < 3; ++i) co_await aio::sleep(1ms);
        EXPECT_GE(calls, 3);  // reported again while still readable
        EXPECT_TRUE(loop.remove_reader(p.fds[0]));
        const int seen = calls;
        co_await aio::sleep(1ms);
        EXPECT_EQ(calls, seen);
        // A writer on an empty pipe is ready at once; a reader on the same fd number after a change.
        int writes = 0;
        loop.add_writer(p.fds[1], [&] {
          ++writes;
          loop.remove_writer(p.fds[1]);
        });
        for (int i = 0; i < 5 && writes == 0; ++i) co_await aio::sleep(1ms);
        EXPECT_EQ(writes, 1);
      }(),
      k_uring_real);
}

TEST(io_uring_backend, timers_and_virtual_time) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        const auto start = aio::get_running_loop().time();
        co_await aio::sleep(1h);
        EXPECT_DOUBLE_EQ(aio_test::seconds_since(start), 3600.0);
      }(),
      k_uring);
  aio_test::run(
      []() -> aio::coro<> {
        const auto start = std::chrono::steady_clock::now();
        co_await aio::sleep(20ms);
        EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
      }(),
      k_uring_real);
}

TEST(io_uring_backend, call_soon_threadsafe_wakes_a_blocked_poll) {
  SKIP_WITHOUT_IO_URING();
  aio_test::run(
      []() -> aio::coro<> {
        aio::event_loop& loop = aio::get_running_loop();
        for (int round = 0; round < 3; ++round) {
          aio::event done;
          std::thread other([&loop, &done] {
            std::this_thread::sleep_for(10ms);
            loop.call_soon_threadsafe([&done] { done.set(); });
          });
          co_await done.wait();  // nothing else to do: the loop blocks in io_uring_enter
          other.join();
        }
      }(),
      k_uring_real);
}

TEST(io_uring_backend, automatic_picks_io_uring_and_says_so_in_debug_mode) {
  SKIP_WITHOUT_IO_URING();
  const scoped_env env("AIO_BACKEND", nullptr);
  testing::internal::CaptureStderr();
  {
    aio::event_loop loop(aio::loop_options{.debug = true});
    EXPECT_STREQ(loop.backend_name(), "io_uring");
  }
  const std::string said = testing::internal::GetCapturedStderr();
  EXPECT_NE(said.find("using the io_uring backend (automatic)"), std::string::npos) << said;
}

TEST(io_uring_backend, aio_backend_overrides_automatic_only) {
  {
    const scoped_env env("AIO_BACKEND", "epoll");
    aio::event_loop loop;
    EXPECT_STREQ(loop.backend_name(), "epoll");
    if (io_uring_usable()) {
      aio::event_loop named(aio::loop_options{.backend = aio::backend::io_uring});
      EXPECT_STREQ(named.backend_name(), "io_uring");  // a named backend wins over the variable
    }
  }
  {
    const scoped_env env("AIO_BACKEND", "io_uring");
    if (io_uring_usable()) {
      aio::event_loop loop;
      EXPECT_STREQ(loop.backend_name(), "io_uring");
      aio::event_loop named(aio::loop_options{.backend = aio::backend::epoll});
      EXPECT_STREQ(named.backend_name(), "epoll");
    } else {
      EXPECT_THROW(aio::event_loop{}, std::runtime_error);  // never a silent fallback
    }
  }
  {
    const scoped_env env("AIO_BACKEND", "kqueue");
    EXPECT_THROW(aio::event_loop{}, std::invalid_argument);
  }
}

}  // namespace
