// `aio ps PID` and `aio pstree PID` against a real child process: this test binary, re-executed with a
// filter naming one `ps_child` scenario, runs aio::run with named tasks awaiting each other and then
// blocks its loop on purpose (a blocking read of its stdin, or a busy loop polling it). The parent runs
// the built `aio` command (AIO_CLI_PATH) and checks what it prints, that it answered although the loop
// is stuck, and that the child goes on unharmed once its stdin gets a byte. Also the failures: no such
// process, a process that is not an aio program, another user, a silent agent, malformed input.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <future>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aio/aio.hpp"

using namespace std::chrono_literals;

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace {

using steady = std::chrono::steady_clock;

constexpr const char* k_child_env = "AIO_PS_TEST_CHILD";

bool is_child() { return std::getenv(k_child_env) != nullptr; }

// ---- the child's program ------------------------------------------------------------------------

aio::coro<> wait_for_event(aio::event& done) { co_await done.wait(); }

aio::coro<> worker_body(aio::event& done) { co_await wait_for_event(done); }

aio::coro<> gather_workers(aio::task<> a, aio::task<> b) { co_await aio::gather(a, b); }

/// Blocks the calling thread (the loop's) until stdin has a byte: in poll(), or spinning on poll().
/// (Not in read(): ThreadSanitizer delivers a signal to a thread blocked in read() only once it
/// returns; poll() is one of the calls it lets signals interrupt, as the kernel does.)
void block_on_stdin(bool spin) {
  for (;;) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, spin ? 0 : -1) > 0) break;  // EINTR (the park signal): wait again
  }
  char byte = 0;
  while (::read(STDIN_FILENO, &byte, 1) < 0 && errno == EINTR) {
  }
}

aio::coro<> blocker_body(aio::event& done, bool spin, bool mask) {
  if (mask) {  // a thread that does not take the park signal
    sigset_t park;
    sigemptyset(&park);
    sigaddset(&park, SIGRTMAX - 3);
    ::pthread_sigmask(SIG_BLOCK, &park, nullptr);
  }
  std::cout << "stuck" << std::endl;
  block_on_stdin(spin);  // the loop is stuck here until the parent writes a byte
  done.set();
  co_return;
}

aio::coro<> idle_body(aio::event& done) {
  std::cout << "stuck" << std::endl;  // not stuck: the loop waits for the pipe
  co_await aio::sleep(3600s);
  done.set();
}

enum class how { blocked, spinning, idle, masked };

aio::coro<> child_main(how mode) {
  aio::event done;
  auto w1 = aio::create_task(worker_body(done), "worker-1");
  auto w2 = aio::create_task(worker_body(done), "worker-2");
  auto gatherer = aio::create_task(gather_workers(w1, w2), "gatherer");
  auto blocker =
      mode == how::idle
          ? aio::create_task(idle_body(done), "sleeper")
          : aio::create_task(blocker_body(done, mode == how::spinning, mode == how::masked), "blocker");
  co_await gatherer;
  co_await blocker;
  std::cout << "done" << std::endl;
}

TEST(ps_child, blocked) {
  if (!is_child()) GTEST_SKIP() << "run by ps.* in a child process";
  aio::run(child_main(how::blocked));
}

TEST(ps_child, spinning) {
  if (!is_child()) GTEST_SKIP() << "run by ps.* in a child process";
  aio::run(child_main(how::spinning));
}

TEST(ps_child, idle) {
  if (!is_child()) GTEST_SKIP() << "run by ps.* in a child process";
  aio::run(child_main(how::idle));
}

TEST(ps_child, masked) {
  if (!is_child()) GTEST_SKIP() << "run by ps.* in a child process";
  aio::run(child_main(how::masked));
}

// A second loop on another thread, for as long as the main one runs.
// The other loop's task waits on an event that nothing sets until the main loop is done: a task woken
// by a timer could be caught running by the snapshot (it was, under ThreadSanitizer).
aio::event_loop* g_far_loop = nullptr;
aio::event* g_far_event = nullptr;

aio::coro<> far_wait(aio::event& ev) { co_await ev.wait(); }

aio::coro<> far_main(std::promise<void>& started) {
  aio::event ev;
  g_far_event = &ev;
  g_far_loop = &aio::get_running_loop();
  auto t = aio::create_task(far_wait(ev), "far-task");
  started.set_value();
  co_await t;
}

TEST(ps_child, two_loops) {
  if (!is_child()) GTEST_SKIP() << "run by ps.* in a child process";
  std::promise<void> started;
  std::thread other([&started] { aio::run(far_main(started)); });
  started.get_future().wait();
  aio::run(child_main(how::blocked));
  g_far_loop->call_soon_threadsafe([] { g_far_event->set(); });
  other.join();
}

// ---- the parent's side --------------------------------------------------------------------------

/// Reads `fd` into `text` until `done(text)` or the deadline; false on timeout or end of file.
template <class Done>
bool read_until(int fd, std::string& text, steady::time_point deadline, Done done) {
  while (!done(text)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

/// Builds everything exec needs before fork (the child may only call async-signal-safe functions).
struct exec_args {
  std::vector<std::string> strings;
  std::vector<char*> argv;
  std::vector<std::string> env_strings;
  std::vector<char*> env;

  exec_args(std::vector<std::string> args, const std::vector<std::string>& extra_env)
      : strings(std::move(args)) {
    for (auto& s : strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string var = *e;
      bool replaced = false;  // a variable of extra_env is given once, its new value
      for (const auto& x : extra_env)
        replaced = replaced || var.compare(0, x.find('=') + 1, x, 0, x.find('=') + 1) == 0;
      if (!replaced) env_strings.push_back(var);
    }
    for (const auto& e : extra_env) env_strings.push_back(e);
    for (auto& s : env_strings) env.push_back(s.data());
    env.push_back(nullptr);
  }
};

/// A child process with its stdin and stdout on pipes; killed and reaped on destruction.
class child {
 public:
  child(const std::string& path, std::vector<std::string> args, const std::vector<std::string>& extra_env) {
    exec_args a(std::move(args), extra_env);
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    m_pid = ::fork();
    if (m_pid < 0) throw std::runtime_error("fork");
    if (m_pid == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::execve(path.c_str(), a.argv.data(), a.env.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    m_in = in[1];
    m_out = out[0];
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  ~child() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
    ::close(m_in);
    ::close(m_out);
  }

  [[nodiscard]] pid_t pid() const { return m_pid; }

  bool wait_for_output(const std::string& text, std::chrono::seconds limit = 20s) {
    return read_until(m_out, m_text, steady::now() + limit,
                      [&text](const std::string& t) { return t.find(text) != std::string::npos; });
  }

  /// True while the process has not ended.
  bool alive() {
    int status = 0;
    return ::waitpid(m_pid, &status, WNOHANG) == 0;
  }

  void write_stdin() { EXPECT_EQ(::write(m_in, "x", 1), 1); }

  /// Waits for the process to end (up to `limit`): its wait status, or -1.
  int wait_exit(std::chrono::seconds limit = 20s) {
    const auto deadline = steady::now() + limit;
    while (steady::now() < deadline) {
      int status = 0;
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        return status;
      }
      std::this_thread::sleep_for(5ms);
    }
    return -1;
  }

 private:
  pid_t m_pid = -1;
  int m_in = -1;
  int m_out = -1;
  std::string m_text;
};

/// This test binary running one `ps_child` scenario.
std::unique_ptr<child> start_scenario(const std::string& scenario, const std::string& aio_ps = "1") {
  return std::make_unique<child>(
      "/proc/self/exe", std::vector<std::string>{"ps_child", "--gtest_filter=ps_child." + scenario},
      std::vector<std::string>{std::string(k_child_env) + "=1", "AIO_PS=" + aio_ps});
}

struct cli_result {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
  steady::duration took{};
};

/// Runs the `aio` command with `args` (as user `uid` when not -1) and collects what it printed.
cli_result run_cli(std::vector<std::string> args, int uid = -1) {
  args.insert(args.begin(), "aio");
  exec_args a(std::move(args), {});
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  const auto start = steady::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    if (uid >= 0 && (::setgid(static_cast<gid_t>(uid)) != 0 || ::setuid(static_cast<uid_t>(uid)) != 0))
      ::_exit(126);
    ::execve(AIO_CLI_PATH, a.argv.data(), a.env.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  cli_result r;
  const auto deadline = start + 20s;
  auto never = [](const std::string&) { return false; };
  read_until(out[0], r.out, deadline, never);  // to end of file
  read_until(err[0], r.err, deadline, never);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.took = steady::now() - start;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  ::close(out[0]);
  ::close(err[0]);
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The table's row (line) of task `name` awaited by `awaiter`, or "".
std::string row_of(const std::string& table, const std::string& name, const std::string& awaiter) {
  std::size_t start = 0;
  while (start < table.size()) {
    std::size_t end = table.find('\n', start);
    if (end == std::string::npos) end = table.size();
    const std::string line = table.substr(start, end - start);
    if (contains(line, "  " + name + "  ") && (awaiter.empty() || contains(line, "  " + awaiter + "  ")))
      return line;
    start = end + 1;
  }
  return {};
}

// The names g++ and clang++ give the child's coroutines (an anonymous namespace, left out here).
const std::string k_wait_for_event = "wait_for_event(aio::event&)";
const std::string k_worker_body = "worker_body(aio::event&)";
const std::string k_gather_workers = "gather_workers(aio::task<void>, aio::task<void>)";
const std::string k_child_main = "child_main(";

void expect_table(const std::string& out, const std::string& blocker) {
  // worker-1: its two coroutines, innermost first, awaited by the gatherer through gather().
  const std::string w1 = row_of(out, "worker-1", "gatherer");
  ASSERT_FALSE(w1.empty()) << out;
  EXPECT_TRUE(contains(w1, k_wait_for_event + " <- (anonymous namespace)::" + k_worker_body)) << w1;
  EXPECT_TRUE(contains(w1, k_gather_workers)) << w1;  // the awaiter's chain
  EXPECT_TRUE(contains(w1, "gather")) << w1;
  EXPECT_FALSE(row_of(out, "worker-2", "gatherer").empty()) << out;
  // The gatherer, awaited by main; main, awaited by nobody; the blocker, awaited by main too.
  const std::string g = row_of(out, "gatherer", "main");
  ASSERT_FALSE(g.empty()) << out;
  EXPECT_TRUE(contains(g, k_gather_workers)) << g;
  EXPECT_TRUE(contains(g, k_child_main)) << g;
  EXPECT_TRUE(contains(g, "await")) << g;
  EXPECT_FALSE(row_of(out, "main", "").empty()) << out;
  EXPECT_FALSE(row_of(out, blocker, "").empty()) << out;
  EXPECT_TRUE(contains(out, "tid  ")) << out;
  EXPECT_TRUE(contains(out, "coroutine stack")) << out;
}

void expect_tree(const std::string& out) {
  EXPECT_TRUE(contains(out, "└── (T) main\n")) << out;
  EXPECT_TRUE(contains(out, "── (T) gatherer\n")) << out;
  EXPECT_TRUE(contains(out, "── (T) worker-1 via gather\n")) << out;
  EXPECT_TRUE(contains(out, "── (T) worker-2 via gather\n")) << out;
  // main's coroutine, then the gatherer below it, its coroutine, then the workers below that.
  const std::size_t main_at = out.find("(T) main");
  const std::size_t g_at = out.find("(T) gatherer");
  const std::size_t gw_at = out.find(k_gather_workers);
  const std::size_t w_at = out.find("(T) worker-1");
  const std::size_t leaf_at = out.find(k_wait_for_event);
  ASSERT_NE(w_at, std::string::npos) << out;
  EXPECT_LT(main_at, g_at) << out;
  EXPECT_LT(g_at, gw_at) << out;
  EXPECT_LT(gw_at, w_at) << out;
  EXPECT_LT(out.find(k_worker_body, w_at), leaf_at) << out;  // outermost first, down to where it waits
}

// What the table, the tree and the child's fate should be for a loop stuck in `scenario`.
void check_stuck_child(const std::string& scenario) {
  auto c = start_scenario(scenario);
  ASSERT_TRUE(c->wait_for_output("stuck\n"));
  const std::string pid = std::to_string(c->pid());

  const cli_result ps = run_cli({"ps", pid});
  EXPECT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_EQ(ps.err, "");
  EXPECT_LT(ps.took, 1s) << "aio ps took " << std::chrono::duration<double>(ps.took).count() << " s";
  expect_table(ps.out, "blocker");
  EXPECT_TRUE(contains(ps.out, "was running task 'blocker'")) << ps.out;

  const cli_result tree = run_cli({"pstree", pid});
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_LT(tree.took, 1s) << "aio pstree took " << std::chrono::duration<double>(tree.took).count() << " s";
  expect_tree(tree.out);
  EXPECT_TRUE(contains(tree.out, "── (T) blocker (running)\n")) << tree.out;

  // Unharmed: still stuck where it was, and once let go it finishes its work and exits cleanly.
  EXPECT_TRUE(c->alive());
  c->write_stdin();
  EXPECT_TRUE(c->wait_for_output("done\n"));
  const int status = c->wait_exit();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST(ps, lists_the_tasks_while_the_loop_is_blocked_in_a_system_call) { check_stuck_child("blocked"); }

TEST(ps, lists_the_tasks_while_the_loop_spins) { check_stuck_child("spinning"); }

TEST(ps, lists_the_tasks_of_an_idle_loop) {
  auto c = start_scenario("idle");
  ASSERT_TRUE(c->wait_for_output("stuck\n"));
  const std::string pid = std::to_string(c->pid());
  for (int i = 0; i < 3; ++i) {  // again and again: the agent serves one request after another
    const cli_result ps = run_cli({"ps", pid});
    EXPECT_EQ(ps.exit_code, 0) << ps.err;
    expect_table(ps.out, "sleeper");
    EXPECT_FALSE(contains(ps.out, "was running")) << ps.out;
  }
  const cli_result tree = run_cli({"pstree", pid});
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  expect_tree(tree.out);
  EXPECT_TRUE(contains(tree.out, "── (T) sleeper\n")) << tree.out;
  EXPECT_TRUE(c->alive());
}

TEST(ps, a_loop_whose_thread_blocks_the_signal_is_reported_as_such) {
  auto c = start_scenario("masked");
  ASSERT_TRUE(c->wait_for_output("stuck\n"));
  const std::string pid = std::to_string(c->pid());
  const cli_result ps = run_cli({"ps", pid});
  EXPECT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_TRUE(contains(ps.out, "thread " + pid + ": the loop's thread did not answer the signal")) << ps.out;
  EXPECT_FALSE(contains(ps.out, "worker-1")) << ps.out;
  EXPECT_LT(ps.took, 1500ms);  // the agent waits 500 ms for the signal to be taken
  const cli_result tree = run_cli({"pstree", pid});
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_TRUE(contains(tree.out, "did not answer the signal")) << tree.out;
  EXPECT_TRUE(c->alive());
  c->write_stdin();  // the signal, pending since, is taken now and ignored: nobody asks any more
  EXPECT_TRUE(c->wait_for_output("done\n"));
  const int status = c->wait_exit();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST(ps, every_loop_of_the_process_is_listed) {
  auto c = start_scenario("two_loops");
  ASSERT_TRUE(c->wait_for_output("stuck\n"));
  const std::string pid = std::to_string(c->pid());
  const cli_result ps = run_cli({"ps", pid});
  EXPECT_EQ(ps.exit_code, 0) << ps.err;
  expect_table(ps.out, "blocker");
  const std::string far = row_of(ps.out, "far-task", "");
  ASSERT_FALSE(far.empty()) << ps.out;
  EXPECT_TRUE(contains(far, "far_wait(aio::event&)")) << far;
  const std::string far_tid = far.substr(0, far.find(' '));
  EXPECT_NE(far_tid, pid);  // the other loop's thread
  EXPECT_EQ(row_of(ps.out, "worker-1", "gatherer").substr(0, pid.size() + 1), pid + " ");
  const cli_result tree = run_cli({"pstree", pid});
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_TRUE(contains(tree.out, "Thread " + pid + ":\n")) << tree.out;
  EXPECT_TRUE(contains(tree.out, "Thread " + far_tid + ":\n")) << tree.out;
  EXPECT_TRUE(contains(tree.out, "── (T) far-task\n")) << tree.out;
  expect_tree(tree.out);
  c->write_stdin();
  EXPECT_TRUE(c->wait_for_output("done\n"));
  const int status = c->wait_exit();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

/// The lowest descriptor number fcntl() says is free.
int lowest_free_fd() {
  int fd = 0;
  while (::fcntl(fd, F_GETFD) != -1) ++fd;
  return fd;
}

TEST(ps, the_agent_holds_no_descriptor_number_while_it_waits) {
  // A thread blocked in accept() keeps the lowest free number reserved: a program rationing its
  // descriptors (RLIMIT_NOFILE, or a test counting them) would find one that is neither open nor
  // free. The agent waits in poll(), so the next descriptor opened takes the number that looks free.
  int free_number = -1;
  int opened = -1;
  aio::run([&]() -> aio::coro<> {
    co_await aio::sleep(50ms);  // time for the agent's thread to reach its wait
    free_number = lowest_free_fd();
    opened = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }());
  EXPECT_GE(opened, 0);
  EXPECT_EQ(opened, free_number);
  if (opened >= 0) ::close(opened);
}

TEST(ps, help_and_malformed_input) {
  const cli_result help = run_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "aio ps PID")) << help.out;
  EXPECT_TRUE(contains(help.out, "aio pstree PID")) << help.out;

  for (const char* bad : {"abc", "0", "-3", "12x", "", "99999999999"}) {
    const cli_result r = run_cli({"ps", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_TRUE(contains(r.err, std::string("invalid PID '") + bad + "'")) << r.err;
    EXPECT_EQ(r.out, "");
  }
  const cli_result unknown = run_cli({"frobnicate", "1"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "unknown command 'frobnicate'")) << unknown.err;
  const cli_result none = run_cli({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(contains(none.err, "usage:")) << none.err;
  const cli_result no_pid = run_cli({"pstree"});
  EXPECT_EQ(no_pid.exit_code, 2);
  EXPECT_TRUE(contains(no_pid.err, "takes exactly one PID")) << no_pid.err;
}

TEST(ps, no_such_process) {
  // A process that has just ended and been reaped: its PID is free.
  const pid_t gone = ::fork();
  ASSERT_GE(gone, 0);
  if (gone == 0) ::_exit(0);
  ::waitpid(gone, nullptr, 0);
  const cli_result r = run_cli({"ps", std::to_string(gone)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "no such process: " + std::to_string(gone))) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(ps, a_process_that_is_not_an_aio_program) {
  child sleeper("/bin/sleep", {"sleep", "30"}, {});
  std::this_thread::sleep_for(20ms);  // exec'd by now, most likely; either way it has no socket
  const cli_result r = run_cli({"pstree", std::to_string(sleeper.pid())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "is not an aio program")) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(sleeper.alive());
}

TEST(ps, an_aio_program_with_AIO_PS_0) {
  auto c = start_scenario("idle", "0");
  ASSERT_TRUE(c->wait_for_output("stuck\n"));
  const cli_result r = run_cli({"ps", std::to_string(c->pid())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "is not an aio program")) << r.err;
  EXPECT_TRUE(contains(r.err, "AIO_PS=0")) << r.err;
}

TEST(ps, another_users_process_is_refused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to ask as another user";
  auto c = start_scenario("idle");
  ASSERT_TRUE(c->wait_for_output("stuck\n"));
  constexpr int k_nobody = 65534;
  // The command sees it first.
  const cli_result r = run_cli({"ps", std::to_string(c->pid())}, k_nobody);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "belongs to another user")) << r.err;
  // The agent refuses too, whoever connects: a raw client as nobody.
  int reply_pipe[2];
  ASSERT_EQ(::pipe2(reply_pipe, O_CLOEXEC), 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string name = std::string(1, '\0') + "aio-ps-" + std::to_string(c->pid());
  std::memcpy(addr.sun_path, name.data(), name.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  const pid_t client = ::fork();
  ASSERT_GE(client, 0);
  if (client == 0) {
    if (::setgid(k_nobody) != 0 || ::setuid(k_nobody) != 0) ::_exit(126);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) ::_exit(125);
    (void)::send(fd, "tasks\n", 6, MSG_NOSIGNAL);
    char buf[256];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) (void)::write(reply_pipe[1], buf, static_cast<std::size_t>(n));
    ::_exit(0);
  }
  ::close(reply_pipe[1]);
  std::string reply;
  read_until(reply_pipe[0], reply, steady::now() + 10s, [](const std::string&) { return false; });
  ::close(reply_pipe[0]);
  int status = 0;
  ::waitpid(client, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(reply.rfind("refused\t", 0), 0U) << reply;
  EXPECT_TRUE(c->alive());
}

TEST(ps, a_process_that_does_not_answer_times_out) {
  // A process whose socket never answers: the test listens under a `sleep` child's name.
  child sleeper("/bin/sleep", {"sleep", "30"}, {});
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string name = std::string(1, '\0') + "aio-ps-" + std::to_string(sleeper.pid());
  std::memcpy(addr.sun_path, name.data(), name.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  const cli_result r = run_cli({"ps", std::to_string(sleeper.pid())});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "did not answer within 2 s")) << r.err;
  EXPECT_GE(r.took, 1900ms);
  EXPECT_LT(r.took, 5s);
}

}  // namespace
