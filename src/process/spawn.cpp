// Starting a child with posix_spawn (see docs/design/subprocess.md for why not fork or vfork).
//
// glibc's posix_spawn runs the child on a CLONE_VFORK clone and reports a failed exec (a missing
// program: ENOENT) as its own return value, through the same close-on-exec channel a hand-written
// vfork+exec would need: the error names the program, as Python's FileNotFoundError.

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "aio/runtime/event_loop.hpp"
#include "process_state.hpp"
#include "spawn.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace aio {

namespace detail {

namespace {

/// An owned fd, closed unless released.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) noexcept : m_fd(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  unique_fd(unique_fd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    reset(std::exchange(o.m_fd, -1));
    return *this;
  }
  ~unique_fd() { reset(); }
  void reset(int fd = -1) noexcept {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }
  [[nodiscard]] int get() const noexcept { return m_fd; }
  int release() noexcept { return std::exchange(m_fd, -1); }

 private:
  int m_fd = -1;
};

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), "aio: " + what);
}

/// Python ignores SIGPIPE at start-up; aio does it when the first pipe to a child is made, and only if
/// the program left the default action (a handler or an explicit choice is respected). Children get
/// the default action back (POSIX_SPAWN_SETSIGDEF below).
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    if (::sigaction(SIGPIPE, nullptr, &sa) == 0 &&
        sa.sa_handler == SIG_DFL) {  // NOLINT(cppcoreguidelines-pro-type-union-access)
      sa.sa_handler = SIG_IGN;       // NOLINT(cppcoreguidelines-pro-type-union-access)
      ::sigaction(SIGPIPE, &sa, nullptr);
    }
  });
}

/// The child's end of a standard stream must not be 0, 1 or 2 itself (a parent started with a closed
/// stdin gets fd 0 from pipe2): the dup2 sequence would overwrite it before using it. Move it up.
unique_fd above_stdio(unique_fd fd, const char* what) {
  if (fd.get() < 0 || fd.get() > 2) return fd;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) throw_errno(errno, std::string("cannot duplicate the fd for ") + what);
  return unique_fd(moved);
}

struct child_stream {
  unique_fd child;    // the end the child gets (closed in the parent after the spawn)
  unique_fd parent;   // the parent's end of a pipe (non-blocking)
  int borrowed = -1;  // a caller's fd (stdio::from_fd), not owned
};

class spawn_actions {
 public:
  spawn_actions() {
    if (const int e = ::posix_spawn_file_actions_init(&m_fa); e != 0)
      throw_errno(e, "posix_spawn_file_actions_init");
    if (const int e = ::posix_spawnattr_init(&m_attr); e != 0) {
      ::posix_spawn_file_actions_destroy(&m_fa);
      throw_errno(e, "posix_spawnattr_init");
    }
  }
  spawn_actions(const spawn_actions&) = delete;
  spawn_actions& operator=(const spawn_actions&) = delete;
  ~spawn_actions() {
    ::posix_spawnattr_destroy(&m_attr);
    ::posix_spawn_file_actions_destroy(&m_fa);
  }
  void check(int e, const char* what) {
    if (e != 0) throw_errno(e, what);
  }
  posix_spawn_file_actions_t m_fa{};
  posix_spawnattr_t m_attr{};
};

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): exec's argv is char*const[], never written
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

process spawn_process(event_loop& loop, const spawn_request& req) {
  const std::array<stdio, 3> specs{req.stdin_, req.stdout_, req.stderr_};
  const std::array<const char*, 3> names{"stdin_", "stdout_", "stderr_"};
  if (specs[0].kind == stdio_kind::stdout_redirect || specs[1].kind == stdio_kind::stdout_redirect) {
    throw std::invalid_argument("aio: aio::stdout_redirect is only valid for .stderr_");
  }
  std::array<child_stream, 3> streams;
  unique_fd devnull;
  for (std::size_t i = 0; i < 3; ++i) {
    const stdio s = specs.at(i);
    child_stream& cs = streams.at(i);
    switch (s.kind) {
      case stdio_kind::inherit:
      case stdio_kind::stdout_redirect:
        break;
      case stdio_kind::pipe: {
        ignore_sigpipe_once();
        std::array<int, 2> p{-1, -1};
        if (::pipe2(p.data(), O_CLOEXEC) != 0)
          throw_errno(errno, std::string("cannot create a pipe for ") + names.at(i));
        // stdin: the child reads (p[0]) and we write (p[1]); stdout/stderr: the other way round.
        cs.child.reset(i == 0 ? p[0] : p[1]);
        cs.parent.reset(i == 0 ? p[1] : p[0]);
        if (::fcntl(cs.parent.get(), F_SETFL, ::fcntl(cs.parent.get(), F_GETFL) | O_NONBLOCK) != 0) {
          throw_errno(errno, "cannot make a pipe non-blocking");
        }
        break;
      }
      case stdio_kind::devnull:
        if (devnull.get() < 0) {
          devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
          if (devnull.get() < 0) throw_errno(errno, "cannot open /dev/null");
        }
        cs.child.reset(::fcntl(devnull.get(), F_DUPFD_CLOEXEC, 3));
        if (cs.child.get() < 0) throw_errno(errno, "cannot duplicate /dev/null's fd");
        break;
      case stdio_kind::fd:
        if (s.fd < 0) {
          throw std::invalid_argument(std::string("aio: stdio::from_fd() needs a valid fd for .") +
                                      names.at(i));
        }
        if (s.fd > 2) {
          cs.borrowed = s.fd;
        } else {
          cs.child.reset(::fcntl(s.fd, F_DUPFD_CLOEXEC, 3));  // see above_stdio
          if (cs.child.get() < 0)
            throw_errno(errno, std::string("cannot duplicate the fd for .") + names.at(i));
        }
        break;
    }
    cs.child = above_stdio(std::move(cs.child), names.at(i));
  }
  devnull.reset();

  spawn_actions sa;
  for (std::size_t i = 0; i < 3; ++i) {
    const child_stream& cs = streams.at(i);
    const int source = cs.child.get() >= 0 ? cs.child.get() : cs.borrowed;
    const int target = static_cast<int>(i);
    if (source >= 0) {
      sa.check(::posix_spawn_file_actions_adddup2(&sa.m_fa, source, target),
               "posix_spawn_file_actions_adddup2");
    } else if (specs.at(i).kind == stdio_kind::stdout_redirect) {
      sa.check(::posix_spawn_file_actions_adddup2(&sa.m_fa, 1, 2), "posix_spawn_file_actions_adddup2");
    }
  }
  if (!req.cwd.empty()) {
    sa.check(::posix_spawn_file_actions_addchdir_np(&sa.m_fa, req.cwd.c_str()),
             "posix_spawn_file_actions_addchdir_np");
  }
  // Python's close_fds=True: the child gets only its three standard streams, even if some library
  // of this program opened an fd without O_CLOEXEC.
  sa.check(::posix_spawn_file_actions_addclosefrom_np(&sa.m_fa, 3),
           "posix_spawn_file_actions_addclosefrom_np");
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);  // ignored by aio (above); the child expects the default
  sigaddset(&defaults, SIGXFSZ);  // Python restores it too
  sigset_t empty;
  sigemptyset(&empty);
  sa.check(::posix_spawnattr_setsigdefault(&sa.m_attr, &defaults), "posix_spawnattr_setsigdefault");
  sa.check(::posix_spawnattr_setsigmask(&sa.m_attr, &empty), "posix_spawnattr_setsigmask");
  sa.check(::posix_spawnattr_setflags(&sa.m_attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK),
           "posix_spawnattr_setflags");

  std::vector<char*> c_argv = c_strings(req.argv);
  std::vector<std::string> env_strings;
  std::vector<char*> c_env;
  char** envp = environ;
  if (req.env) {
    env_strings.reserve(req.env->size());
    for (const auto& [name, value] : *req.env) {
      std::string entry = name;
      entry += '=';
      entry += value;
      env_strings.push_back(std::move(entry));
    }
    c_env = c_strings(env_strings);
    envp = c_env.data();
  }

  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, req.program.c_str(), &sa.m_fa, &sa.m_attr, c_argv.data(), envp);
  if (err != 0) {
    std::string what = "cannot run '" + req.program + "'";
    if (!req.cwd.empty()) what += " in directory '" + req.cwd + "'";
    throw_errno(err, what);
  }
  for (auto& cs : streams) cs.child.reset();  // the child has its copies

  const auto pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));  // close-on-exec by default
  if (pidfd < 0) {
    const int e = errno;
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw_errno(e, "pidfd_open (Linux 5.3 or later is required to watch child processes)");
  }
  // From here the state owns the child: if attaching a pipe fails, destroying it kills and reaps.
  auto* state = new process_state(loop, pid, pidfd);
  process proc(state);  // takes the state's first reference
  for (std::size_t i = 0; i < 3; ++i) {
    child_stream& cs = streams.at(i);
    if (cs.parent.get() < 0) continue;
    auto* t = new stream_transport(loop, cs.parent.release(), false);  // closes the fd if it throws
    t->set_limit(req.limit);
    if (i == 0) {
      state->m_stdin = stream_writer(t);
    } else if (i == 1) {
      state->m_stdout = stream_reader(t);
    } else {
      state->m_stderr = stream_reader(t);
    }
    t->release();  // the handle holds it now
  }
  return proc;
}

}  // namespace detail
}  // namespace aio
