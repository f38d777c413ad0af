// The epoll backend where the kernel lacks epoll_pwait2 (before 5.11, some seccomp profiles, valgrind):
// timed waits fall back to epoll_wait instead of failing at once and spinning the loop.

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

/// Makes epoll_pwait2 fail with ENOSYS in this process, as a kernel without it does.
bool deny_epoll_pwait2() {
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<__u32>(offsetof(seccomp_data, nr))),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_epoll_pwait2, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

aio::coro<> nap() { co_await aio::sleep(300ms); }

}  // namespace

TEST(epoll_backend, a_timed_wait_without_epoll_pwait2_sleeps_instead_of_spinning) {
  // In a child: the filter cannot be removed, and the test binary's other tests must not inherit it.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!deny_epoll_pwait2()) ::_exit(2);
    const auto start = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    aio::run(nap(), aio::run_options{.backend = aio::backend::epoll});
    const double cpu = cpu_seconds() - cpu0;
    const auto wall = std::chrono::steady_clock::now() - start;
    // A spinning loop burns the whole 300 ms; a sleeping one a few ms at most.
    ::_exit(wall >= 300ms && cpu < 0.1 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "seccomp filters are not allowed here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the loop did not sleep for 300 ms without burning CPU";
}
