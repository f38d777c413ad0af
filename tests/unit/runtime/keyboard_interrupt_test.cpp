// Ctrl+C on aio::run, as on asyncio.run: a real SIGINT sent to a real child process (this test binary,
// re-executed with a filter naming one `keyboard_interrupt_child` scenario). The child prints from its
// clean-up; the parent checks that output and how the child ended.

#include "aio/runtime/keyboard_interrupt.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "aio/aio.hpp"

using namespace std::chrono_literals;

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace {

constexpr const char* k_child_env = "AIO_KEYBOARD_INTERRUPT_CHILD=1";

bool is_child() { return std::getenv("AIO_KEYBOARD_INTERRUPT_CHILD") != nullptr; }

/// A child running one scenario, its stdout on a pipe.
class child {
 public:
  explicit child(const std::string& scenario) {
    // Everything exec needs is built before fork: the child may only call async-signal-safe functions.
    const std::string filter = "--gtest_filter=keyboard_interrupt_child." + scenario;
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.emplace_back(k_child_env);
    std::vector<char*> env;
    for (auto& s : env_strings) env.push_back(s.data());
    env.push_back(nullptr);
    std::string arg0 = "keyboard_interrupt_child";
    std::string arg1 = filter;
    char* argv[] = {arg0.data(), arg1.data(), nullptr};
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    m_pid = ::fork();
    if (m_pid < 0) throw std::runtime_error("fork");
    if (m_pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      // A Ctrl+C reaches a shell's foreground job with SIGINT at its default: make sure it is.
      ::signal(SIGINT, SIG_DFL);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execve("/proc/self/exe", argv, env.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    m_out = fds[0];
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  ~child() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
    if (m_out >= 0) ::close(m_out);
  }

  /// Reads the child's output until it contains `text` (false after 20 s or at end of output).
  bool wait_for_output(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (m_text.find(text) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) return false;
    }
    return true;
  }
  /// Sends SIGINT, as the terminal does on Ctrl+C.
  void interrupt() const { ::kill(m_pid, SIGINT); }
  /// Reads to the end of the output and reaps the child; returns its wait status.
  int finish() {
    while (read_some(20000)) {
    }
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return status;
  }
  [[nodiscard]] const std::string& output() const { return m_text; }

 private:
  bool read_some(int timeout_ms) {
    pollfd p{m_out, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    const ssize_t n = ::read(m_out, buf, sizeof buf);
    if (n <= 0) return false;
    m_text.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  pid_t m_pid = -1;
  int m_out = -1;
  std::string m_text;
};

// ---- the children's main coroutines ----------------------------------------------------------

/// Waits to be cancelled, then cleans up with an await (Python's `finally: await ...`) and rethrows.
aio::coro<> leftover() {
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error&) {
    std::cout << "leftover: cancelled\n";
  }
  co_await aio::sleep(1ms);
  std::cout << "leftover: cleaned up\n";
  throw aio::cancelled_error();
}

aio::coro<> interrupted_main() {
  (void)aio::create_task(leftover(), "leftover");
  std::cout << "ready" << std::endl;
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error& e) {
    // No flush: what is still in the buffer when the process dies must not be lost.
    std::cout << "main: cancelled (" << e.what() << ")\n";
  }
  co_await aio::sleep(1ms);
  std::cout << "main: cleaned up\n";
  throw aio::cancelled_error();
}

TEST(keyboard_interrupt_child, default_ending) {
  if (!is_child()) GTEST_SKIP() << "runs as the child of keyboard_interrupt.*";
  aio::run(interrupted_main());
  std::cout << "not reached: run returned" << std::endl;
}

TEST(keyboard_interrupt_child, raise_keyboard_interrupt) {
  if (!is_child()) GTEST_SKIP() << "runs as the child of keyboard_interrupt.*";
  try {
    aio::run(interrupted_main(), {.raise_keyboard_interrupt = true});
    std::cout << "not reached: run returned" << std::endl;
  } catch (const aio::keyboard_interrupt& e) {
    std::cout << "caught keyboard_interrupt: " << e.what() << "\n";
  }
  struct sigaction now {};
  ::sigaction(SIGINT, nullptr, &now);
  if (now.sa_handler == SIG_DFL) std::cout << "SIGINT disposition restored\n";
}

aio::coro<> blocking_cleanup_main() {
  std::cout << "ready" << std::endl;
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error&) {
    std::cout << "main: clean-up started" << std::endl;
  }
  std::this_thread::sleep_for(30s);  // a clean-up stuck in a blocking call: the loop cannot run
  std::cout << "not reached: clean-up finished" << std::endl;
}

TEST(keyboard_interrupt_child, second_interrupt_while_cleanup_blocks) {
  if (!is_child()) GTEST_SKIP() << "runs as the child of keyboard_interrupt.*";
  aio::run(blocking_cleanup_main());
}

aio::coro<> slow_cleanup_main() {
  std::cout << "ready" << std::endl;
  try {
    co_await aio::sleep(3600s);
  } catch (const aio::cancelled_error&) {
    std::cout << "main: clean-up started" << std::endl;
  }
  co_await aio::sleep(3600s);  // awaits forever: only a second Ctrl+C ends it
  std::cout << "not reached: clean-up finished" << std::endl;
}

TEST(keyboard_interrupt_child, second_interrupt_with_raise_keyboard_interrupt) {
  if (!is_child()) GTEST_SKIP() << "runs as the child of keyboard_interrupt.*";
  try {
    aio::run(slow_cleanup_main(), {.raise_keyboard_interrupt = true});
  } catch (const aio::keyboard_interrupt&) {
    std::cout << "caught keyboard_interrupt\n";
  }
}

// ---- the parent's checks ---------------------------------------------------------------------

TEST(keyboard_interrupt, ctrl_c_runs_the_cleanup_then_the_process_dies_of_sigint) {
  if (is_child()) GTEST_SKIP();
  child c("default_ending");
  ASSERT_TRUE(c.wait_for_output("ready\n")) << c.output();
  c.interrupt();
  const int status = c.finish();
  // (GoogleTest's own lines come before "ready".)
  EXPECT_EQ(c.output().substr(c.output().find("ready\n")),
            "ready\n"
            "main: cancelled (interrupted by SIGINT)\n"
            "main: cleaned up\n"
            "leftover: cancelled\n"
            "leftover: cleaned up\n");
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGINT);
}

TEST(keyboard_interrupt, raise_keyboard_interrupt_throws_after_the_cleanup) {
  if (is_child()) GTEST_SKIP();
  child c("raise_keyboard_interrupt");
  ASSERT_TRUE(c.wait_for_output("ready\n")) << c.output();
  c.interrupt();
  const int status = c.finish();
  const std::string& out = c.output();
  const auto cleaned = out.find("leftover: cleaned up\n");
  const auto caught = out.find("caught keyboard_interrupt: aio: interrupted by SIGINT");
  EXPECT_NE(out.find("main: cleaned up\n"), std::string::npos) << out;
  EXPECT_NE(cleaned, std::string::npos) << out;
  EXPECT_NE(caught, std::string::npos) << out;
  EXPECT_LT(cleaned, caught) << out;
  EXPECT_NE(out.find("SIGINT disposition restored"), std::string::npos) << out;
  EXPECT_EQ(out.find("not reached"), std::string::npos) << out;
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
}

TEST(keyboard_interrupt, a_second_ctrl_c_ends_at_once_even_while_the_cleanup_blocks) {
  if (is_child()) GTEST_SKIP();
  child c("second_interrupt_while_cleanup_blocks");
  ASSERT_TRUE(c.wait_for_output("ready\n")) << c.output();
  c.interrupt();
  ASSERT_TRUE(c.wait_for_output("main: clean-up started\n")) << c.output();
  const auto start = std::chrono::steady_clock::now();
  c.interrupt();
  const int status = c.finish();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(c.output().find("not reached"), std::string::npos) << c.output();
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGINT);
}

TEST(keyboard_interrupt, a_second_ctrl_c_abandons_the_cleanup_and_throws) {
  if (is_child()) GTEST_SKIP();
  child c("second_interrupt_with_raise_keyboard_interrupt");
  ASSERT_TRUE(c.wait_for_output("ready\n")) << c.output();
  c.interrupt();
  ASSERT_TRUE(c.wait_for_output("main: clean-up started\n")) << c.output();
  c.interrupt();
  const int status = c.finish();
  EXPECT_NE(c.output().find("caught keyboard_interrupt\n"), std::string::npos) << c.output();
  EXPECT_EQ(c.output().find("not reached"), std::string::npos) << c.output();
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(keyboard_interrupt, is_not_a_std_exception) {
  // Like cancelled_error (Python's BaseException): a catch-all for errors must not swallow Ctrl+C.
  static_assert(!std::is_base_of_v<std::exception, aio::keyboard_interrupt>);
  bool caught_as_error = false;
  bool caught = false;
  try {
    try {
      throw aio::keyboard_interrupt();
    } catch (const std::exception&) {
      caught_as_error = true;
    }
  } catch (const aio::keyboard_interrupt&) {
    caught = true;
  }
  EXPECT_FALSE(caught_as_error);
  EXPECT_TRUE(caught);
}

}  // namespace
