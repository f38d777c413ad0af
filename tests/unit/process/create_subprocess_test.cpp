// create_subprocess_exec / create_subprocess_shell against real children: pipes, /dev/null,
// stderr→stdout, a caller's fd, env, cwd, and the errors of a child that cannot start.

#include "aio/process/create_subprocess.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"

namespace {

using aio_test::k_real;

TEST(create_subprocess, exec_echo_through_a_stdout_pipe) {
  aio_test::run(
      []() -> aio::coro<> {
        // The arguments as a vector (the braced and one-by-one forms: examples/subprocess_pipeline.cpp,
        // docs/examples/subprocess.cpp); the options braced inside co_await.
        const std::vector<std::string> args{"hello", "world"};
        aio::process p = co_await aio::create_subprocess_exec("echo", args, {.stdout_ = aio::pipe});
        EXPECT_GT(p.pid(), 0);
        const std::string line = co_await p.stdout_().readline();
        EXPECT_EQ(line, "hello world\n");
        const int code = co_await p.wait();
        EXPECT_EQ(code, 0);
        EXPECT_EQ(p.returncode(), 0);
        EXPECT_FALSE(p.has_stdin());
        EXPECT_FALSE(p.has_stderr());
      }(),
      k_real);
}

TEST(create_subprocess, shell_pipeline_with_communicate) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdout_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell("printf 'a\\nb\\nc\\n' | wc -l", opts);
        auto [out, err] = co_await p.communicate();
        EXPECT_EQ(out, "3\n");
        EXPECT_EQ(err, "");
        EXPECT_EQ(p.returncode(), 0);
      }(),
      k_real);
}

TEST(create_subprocess, stdout_and_stderr_pipes_are_separate) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdout_ = aio::pipe, .stderr_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell("echo out; echo err >&2; exit 4", opts);
        auto [out, err] = co_await p.communicate();
        EXPECT_EQ(out, "out\n");
        EXPECT_EQ(err, "err\n");
        EXPECT_EQ(p.returncode(), 4);
      }(),
      k_real);
}

TEST(create_subprocess, stderr_to_stdout_redirect) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdout_ = aio::pipe, .stderr_ = aio::stdout_redirect};
        aio::process p = co_await aio::create_subprocess_shell("echo out; echo err >&2", opts);
        EXPECT_FALSE(p.has_stderr());
        auto [out, err] = co_await p.communicate();
        EXPECT_EQ(out, "out\nerr\n");
        EXPECT_EQ(err, "");
      }(),
      k_real);
}

TEST(create_subprocess, stderr_to_stdout_when_stdout_is_inherited_goes_to_our_stdout) {
  aio_test::run(
      []() -> aio::coro<> {
        const aio::subprocess_options opts{.stdout_ = aio::devnull, .stderr_ = aio::stdout_redirect};
        aio::process p = co_await aio::create_subprocess_shell("echo 'not shown' >&2", opts);
        const int code = co_await p.wait();
        EXPECT_EQ(code, 0);
      }(),
      k_real);
}

TEST(create_subprocess, devnull_for_input_and_output) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::vector<std::string> none;
        const aio::subprocess_options in_null{.stdin_ = aio::devnull, .stdout_ = aio::pipe};
        aio::process cat = co_await aio::create_subprocess_exec("cat", none, in_null);
        const std::string all = co_await cat.stdout_().read();
        EXPECT_EQ(all, "");  // /dev/null ends at once
        EXPECT_EQ(co_await cat.wait(), 0);
        const aio::subprocess_options out_null{.stdout_ = aio::devnull, .stderr_ = aio::devnull};
        aio::process quiet = co_await aio::create_subprocess_shell("echo lost; echo lost >&2", out_null);
        auto [out, err] = co_await quiet.communicate();
        EXPECT_EQ(out, "");
        EXPECT_EQ(err, "");
        EXPECT_EQ(quiet.returncode(), 0);
      }(),
      k_real);
}

TEST(create_subprocess, a_callers_fd) {
  int fds[2] = {-1, -1};
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  aio_test::run(
      [](int w) -> aio::coro<> {
        const std::vector<std::string> args{"to my fd"};
        const aio::subprocess_options opts{.stdout_ = aio::stdio::from_fd(w)};
        aio::process p = co_await aio::create_subprocess_exec("echo", args, opts);
        EXPECT_EQ(co_await p.wait(), 0);
      }(fds[1]),
      {.clock = aio::real_clock, .check_fds = true});
  EXPECT_EQ(::fcntl(fds[1], F_GETFD), FD_CLOEXEC);  // still ours, still open
  ::close(fds[1]);
  char buf[64] = {};
  const auto n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0U), "to my fd\n");
}

TEST(create_subprocess, env_replaces_the_environment) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::environment env{{"AIO_TEST_VAR", "forty two"}};
        aio::subprocess_options opts{.stdout_ = aio::pipe, .env = &env};
        const std::vector<std::string> args{"-c", "echo \"$AIO_TEST_VAR|$HOME\""};
        aio::process p = co_await aio::create_subprocess_exec("/bin/sh", args, opts);
        auto [out, err] = co_await p.communicate();
        EXPECT_EQ(out, "forty two|\n");  // only what was given: no HOME

        aio::environment more = aio::current_environment();
        more["AIO_TEST_VAR"] = "extended";
        EXPECT_TRUE(more.count("PATH") == 1);
        aio::subprocess_options opts2{.stdout_ = aio::pipe, .env = &more};
        aio::process q =
            co_await aio::create_subprocess_shell("echo $AIO_TEST_VAR", opts2);  // PATH still works
        auto [out2, err2] = co_await q.communicate();
        EXPECT_EQ(out2, "extended\n");
      }(),
      k_real);
}

TEST(create_subprocess, cwd_sets_the_working_directory) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::subprocess_options opts{.stdout_ = aio::pipe, .cwd = "/"};
        const std::vector<std::string> none;
        aio::process p = co_await aio::create_subprocess_exec("pwd", none, opts);
        auto [out, err] = co_await p.communicate();
        EXPECT_EQ(out, "/\n");
      }(),
      k_real);
}

TEST(create_subprocess, a_missing_program_is_enoent_naming_it) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::vector<std::string> none;
        const aio::subprocess_options piped{.stdin_ = aio::pipe, .stdout_ = aio::pipe, .stderr_ = aio::pipe};
        const std::vector<std::string> programs{"/no/such/program", "aio-no-such-program-on-path"};
        for (const std::string& program : programs) {
          bool thrown = false;
          try {
            aio::process p = co_await aio::create_subprocess_exec(program, none, piped);
          } catch (const std::system_error& e) {
            thrown = true;
            EXPECT_EQ(e.code().value(), ENOENT);
            EXPECT_NE(std::string(e.what()).find(program), std::string::npos) << e.what();
          }
          EXPECT_TRUE(thrown);
        }
        bool thrown = false;
        try {
          aio::subprocess_options opts{.cwd = "/no/such/dir"};
          aio::process p = co_await aio::create_subprocess_exec("true", none, opts);
        } catch (const std::system_error& e) {
          thrown = true;
          EXPECT_EQ(e.code().value(), ENOENT);
          EXPECT_NE(std::string(e.what()).find("/no/such/dir"), std::string::npos) << e.what();
        }
        EXPECT_TRUE(thrown);
      }(),
      k_real);  // the fd check proves the pipes made before the failure were closed
}

TEST(create_subprocess, a_program_that_is_not_executable_is_eacces) {
  char path[] = "/tmp/aio_not_executable_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ::chmod(path, 0644);
  aio_test::run(
      [](std::string program) -> aio::coro<> {
        bool thrown = false;
        try {
          aio::process p = co_await aio::create_subprocess_exec(program);
        } catch (const std::system_error& e) {
          thrown = true;
          EXPECT_EQ(e.code().value(), EACCES) << e.what();
        }
        EXPECT_TRUE(thrown);
      }(path),
      k_real);
  ::unlink(path);
}

TEST(create_subprocess, stdout_redirect_is_only_for_stderr) {
  aio_test::run(
      []() -> aio::coro<> {
        bool thrown = false;
        try {
          const std::vector<std::string> none;
          const aio::subprocess_options bad{.stdout_ = aio::stdout_redirect};
          aio::process p = co_await aio::create_subprocess_exec("true", none, bad);
        } catch (const std::invalid_argument&) {
          thrown = true;
        }
        EXPECT_TRUE(thrown);
      }(),
      k_real);
}

TEST(create_subprocess, nothing_starts_until_awaited) {
  aio_test::run(
      []() -> aio::coro<> {
        const std::size_t before = aio_test::open_fd_count();
        {
          aio::coro<aio::process> lazy = aio::create_subprocess_exec("true", {}, {.stdout_ = aio::pipe});
          EXPECT_EQ(aio_test::open_fd_count(), before);
        }
        co_return;
      }(),
      k_real);
}

TEST(create_subprocess, the_child_gets_only_the_standard_fds_and_default_sigpipe) {
  aio_test::run(
      []() -> aio::coro<> {
        // A non-CLOEXEC fd of ours must not reach the child (close_fds); SIGPIPE is ignored in this
        // process once a pipe was made, but the child must see the default action ("SigIgn" bit 13 clear).
        const int leaky = ::open("/dev/null", O_RDONLY);
        const aio::subprocess_options opts{.stdout_ = aio::pipe};
        aio::process p = co_await aio::create_subprocess_shell(
            "ls /proc/self/fd | wc -l; grep SigIgn /proc/self/status", opts);
        auto [out, err] = co_await p.communicate();
        ::close(leaky);
        // ls sees 0, 1, 2 and the directory it reads: 4 (sh's own fds are closed-on-exec or gone).
        EXPECT_EQ(out.substr(0, out.find('\n')), "4") << out;
        const std::string mask = out.substr(out.find(':') + 1);
        const unsigned long bits = std::stoul(mask, nullptr, 16);
        EXPECT_EQ(bits & (1UL << (SIGPIPE - 1)), 0UL) << out;
      }(),
      k_real);
}

}  // namespace
