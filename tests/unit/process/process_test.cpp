// aio::process: wait, communicate, signals, streams, cancellation, and no zombie after the run.

#include "aio/process/process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/process/create_subprocess.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;

/// True when `pid` is neither running nor a zombie of ours.
bool gone(int pid) {
  int status = 0;
  const bool not_our_child = ::waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD;
  return not_our_child && ::kill(pid, 0) < 0 && errno == ESRCH;
}

TEST(process, nonzero_exit_code) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::process p = co_await aio::create_subprocess_shell("exit 3");
        const int code = co_await p.wait();
        EXPECT_EQ(code, 3);
        EXPECT_EQ(p.returncode(), 3);
        EXPECT_EQ(co_await p.wait(), 3);  // known: at once
      }(),
      k_real);
}

TEST(process, terminate_and_kill_give_minus_the_signal) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::process a = co_await aio::create_subprocess_shell("exec sleep 30");
        aio::process b = co_await aio::create_subprocess_shell("exec sleep 30");
        EXPECT_EQ(a.returncode(), std::nullopt);
        a.terminate();
        b.kill();
        EXPECT_EQ(co_await a.wait(), -SIGTERM);
        EXPECT_EQ(co_await b.wait(), -SIGKILL);
        a.kill();  // exited: nothing to signal, no error (Python)
        b.send_signal(SIGUSR1);
        EXPECT_EQ(a.returncode(), -15);
        EXPECT_EQ(b.returncode(), -9);
      }(),
      k_real);
}

TEST(process, send_signal_delivers_any_signal) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::process p = co_await aio::create_subprocess_shell(
            "trap 'exit 7' USR1; echo ready; while :; do sleep 0.01; done", {.stdout_ = aio::pipe});
        const std::string ready = co_await p.stdout_().readline();  // the trap is in place
        EXPECT_EQ(ready, "ready\n");
        p.send_signal(SIGUSR1);
        EXPECT_EQ(co_await p.wait(), 7);
      }(),
      k_real);
}

TEST(process, wait_from_two_tasks) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::vector<std::string> none;
        const aio::subprocess_options opts{.stdin_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_exec("cat", none, opts);
        auto waiter = [](aio::process proc) -> aio::coro<int> { co_return co_await proc.wait(); };
        aio::task<int> t1 = aio::create_task(waiter(p));
        aio::task<int> t2 = aio::create_task(waiter(p));
        co_await aio::sleep(50ms);
        EXPECT_FALSE(t1.done());
        EXPECT_FALSE(t2.done());
        p.stdin_().close();  // cat sees EOF and exits
        const int r1 = co_await t1;
        const int r2 = co_await t2;
        EXPECT_EQ(r1, 0);
        EXPECT_EQ(r2, 0);
      }(),
      k_real);
}

TEST(process, communicate_10_mib_through_cat_does_not_deadlock) {
  aio_test::run(
      []() -> aio::coro<> {
        std::string input;
        input.reserve(10U << 20U);
        for (std::size_t i = 0; input.size() < (10U << 20U); ++i) input += "line " + std::to_string(i) + "\n";
        const std::vector<std::string> none;
        const aio::subprocess_options opts{.stdin_ = aio::pipe, .stdout_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_exec("cat", none, opts);
        const std::size_t size = input.size();
        auto [out, err] = co_await p.communicate(input);
        EXPECT_EQ(out.size(), size);
        EXPECT_TRUE(out == input);
        EXPECT_EQ(p.returncode(), 0);
      }(),
      k_real);
}

TEST(process, communicate_with_big_stdout_and_stderr_at_once) {
  aio_test::run(
      []() -> aio::coro<> {
        // Both outputs far beyond a pipe's 64 KiB: reading only one of them would deadlock.
        const aio::subprocess_options opts{.stdout_ = aio::pipe, .stderr_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell(
            "head -c 3000000 /dev/zero >&2; head -c 2000000 /dev/zero", opts);
        auto [out, err] = co_await p.communicate();
        EXPECT_EQ(out.size(), 2000000U);
        EXPECT_EQ(err.size(), 3000000U);
      }(),
      k_real);
}

TEST(process, communicate_ignores_a_child_that_does_not_read) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdin_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell("true", opts);
        const std::string big(1U << 20U, 'x');
        auto [out, err] = co_await p.communicate(big);  // EPIPE: not an error, not a SIGPIPE
        EXPECT_EQ(p.returncode(), 0);
      }(),
      k_real);
}

TEST(process, cancelling_wait_leaks_nothing_and_the_child_keeps_running) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::process p = co_await aio::create_subprocess_shell("exec sleep 30");
        bool timed_out = false;
        try {
          co_await aio::wait_for(p.wait(), 50ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(p.returncode(), std::nullopt);
        p.kill();
        EXPECT_EQ(co_await p.wait(), -SIGKILL);
      }(),
      k_real);
}

TEST(process, cancelling_communicate_leaks_nothing) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdin_ = aio::pipe, .stdout_ = aio::pipe, .stderr_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell("echo partial; exec sleep 30", opts);
        bool timed_out = false;
        try {
          aio::coro<aio::communicate_result> comm = p.communicate("input");
          co_await aio::wait_for(std::move(comm), 100ms);
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        p.kill();
        EXPECT_EQ(co_await p.wait(), -SIGKILL);
      }(),
      k_real);
}

TEST(process, a_task_cancelled_in_wait_or_communicate) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdout_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell("exec sleep 30", opts);
        auto in_wait = [](aio::process proc) -> aio::coro<int> { co_return co_await proc.wait(); };
        auto in_comm = [](aio::process proc) -> aio::coro<> { co_await proc.communicate(); };
        aio::task<int> t1 = aio::create_task(in_wait(p));
        aio::task<> t2 = aio::create_task(in_comm(p));
        co_await aio::sleep(20ms);
        t1.cancel();
        t2.cancel();
        const bool c1 = co_await aio_test::was_cancelled(t1);
        const bool c2 = co_await aio_test::was_cancelled(t2);
        EXPECT_TRUE(c1);
        EXPECT_TRUE(c2);
        p.terminate();
        EXPECT_EQ(co_await p.wait(), -SIGTERM);
      }(),
      k_real);
}

TEST(process, no_zombie_when_the_handle_goes_or_the_run_ends) {
  int running = 0;
  int exited = 0;
  int in_leftover = 0;
  aio_test::run(
      [](int* running_pid, int* exited_pid, int* leftover_pid) -> aio::coro<> {
        {
          aio::process p = co_await aio::create_subprocess_shell("exec sleep 30");
          *running_pid = p.pid();
        }  // dropped while running: killed and reaped at once
        EXPECT_TRUE(gone(*running_pid));
        {
          aio::process p = co_await aio::create_subprocess_exec("true");
          *exited_pid = p.pid();
          co_await aio::sleep(50ms);  // it exits; nobody waits for it
        }
        EXPECT_TRUE(gone(*exited_pid));
        // A task still holding a running child when main returns: aio::run cancels it, and its frame
        // (with the handle) goes, which reaps the child.
        auto holder = [](int* pid) -> aio::coro<> {
          aio::process p = co_await aio::create_subprocess_shell("exec sleep 30");
          *pid = p.pid();
          co_await aio::sleep(1h);
        };
        aio::create_task(holder(leftover_pid));
        co_await aio::sleep(20ms);
      }(&running, &exited, &in_leftover),
      {.clock = aio::real_clock, .allow_leftover_tasks = true});
  ASSERT_GT(in_leftover, 0);
  EXPECT_TRUE(gone(in_leftover));
  EXPECT_TRUE(gone(running));
  EXPECT_TRUE(gone(exited));
}

TEST(process, no_zombie_after_aio_run) {
  int pid = 0;
  aio::run(
      [](int* out) -> aio::coro<> {
        aio::process p = co_await aio::create_subprocess_shell("exec sleep 30");
        *out = p.pid();
      }(&pid),
      {.handle_sigint = false});
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(gone(pid));
}

TEST(process, stdin_write_eof_ends_the_childs_input) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::vector<std::string> none;
        const aio::subprocess_options opts{.stdin_ = aio::pipe, .stdout_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_exec("cat", none, opts);
        p.stdin_().write("abc");
        p.stdin_().write("def\n");
        co_await p.stdin_().drain();
        p.stdin_().write_eof();
        const std::string all = co_await p.stdout_().read();
        EXPECT_EQ(all, "abcdef\n");
        EXPECT_TRUE(p.stdout_().at_eof());
        EXPECT_EQ(co_await p.wait(), 0);
      }(),
      k_real);
}

TEST(process, large_output_read_line_by_line) {
  aio_test::run(
      []() -> aio::coro<> {
        // 200,000 lines (1.3 MB): far more than a pipe holds, read as they come.
        const std::vector<std::string> args{"1", "200000"};
        aio::process p = co_await aio::create_subprocess_exec("seq", args, {.stdout_ = aio::pipe});
        std::size_t lines = 0;
        std::string last;
        for (;;) {
          std::string line = co_await p.stdout_().readline();
          if (line.empty()) break;
          ++lines;
          last = std::move(line);
          // A readline that finds its line buffered completes without suspending, and g++ below -O2
          // does not turn symmetric transfer into a tail call: without an occasional real suspension
          // a debug build would nest every such line's frames on the stack until it overflows.
          if (lines % 1000 == 0) co_await aio::sleep(0s);
        }
        EXPECT_EQ(lines, 200000U);
        EXPECT_EQ(last, "200000\n");
        EXPECT_EQ(co_await p.wait(), 0);
      }(),
      k_real);
}

TEST(process, a_stream_that_is_not_a_pipe_throws_logic_error) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::process p = co_await aio::create_subprocess_exec("true");
        EXPECT_THROW((void)p.stdin_(), std::logic_error);
        EXPECT_THROW((void)p.stdout_(), std::logic_error);
        EXPECT_THROW((void)p.stderr_(), std::logic_error);
        co_await p.wait();
      }(),
      k_real);
}

TEST(process, writing_to_a_child_that_exited_is_epipe_not_sigpipe) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdin_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell("true", opts);
        co_await p.wait();
        const std::string big(1U << 20U, 'x');
        p.stdin_().write(big);
        bool epipe = false;
        try {
          co_await p.stdin_().drain();
        } catch (const std::system_error& e) {
          epipe = e.code().value() == EPIPE;
        }
        EXPECT_TRUE(epipe);
      }(),
      k_real);
}

TEST(process, wait_under_virtual_time_follows_the_wall) {
  aio_test::run([]() -> aio::coro<> {
    // On virtual time an idle loop jumps to the next timer: the 5 s timeout would fire at once if
    // the clock did not follow the wall while the child runs.
    aio::process p = co_await aio::create_subprocess_shell("exec sleep 0.2");
    const aio::clock::time_point start = aio::get_running_loop().time();
    const int code = co_await aio::wait_for(p.wait(), 5s);
    EXPECT_EQ(code, 0);
    const double took = aio_test::seconds_since(start);
    EXPECT_GE(took, 0.15);
    EXPECT_LT(took, 4.0);
  }());
}

}  // namespace
