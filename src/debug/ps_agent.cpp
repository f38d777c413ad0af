// The `aio ps` agent (ps_agent.hpp): one thread per process, a registry of the loops `aio::run` runs,
// and the listening socket, open while the registry is not empty. A request parks each loop's thread in
// turn (park.hpp), copies its tasks' await links, lets it go, then names the coroutines and replies.

#include "ps_agent.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "aio/detail/task_header.hpp"
#include "aio/runtime/event_loop.hpp"
#include "park.hpp"
#include "ps_protocol.hpp"
#include "symbolize.hpp"
#include "task_snapshot.hpp"

namespace aio::detail {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds k_park_wait{500};  // for a loop's thread to take the signal

struct loop_entry {
  event_loop* loop;
  pthread_t thread;
  pid_t tid;
};

struct loop_snapshot {
  pid_t tid = 0;
  bool answered = false;
  task_header* running = nullptr;
  std::vector<task_snapshot> tasks;
};

// The process's agent. Never destroyed: its thread may outlive static destruction.
struct agent {
  pid_t pid = ::getpid();
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<loop_entry> loops;  // guarded by mutex, as everything below
  int listen_fd = -1;             // open while `loops` is not empty (unless it could not be)
  unsigned generation = 0;        // counts the sockets opened
  bool shutting_down = false;     // the last loop left: the agent must leave accept()
  bool accepting = false;         // the agent thread works on listen_fd

  void run();
  void serve(int fd);
  std::string reply();
};

int open_socket() {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string name = ps::socket_name(::getpid());
  std::memcpy(addr.sun_path, name.data(), name.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void agent::run() {
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    changed.wait(lock, [this] { return listen_fd >= 0 && !shutting_down; });
    const int fd = listen_fd;
    const unsigned serving = generation;
    accepting = true;
    lock.unlock();
    for (;;) {
      // Wait in poll(), not in accept(): a blocked accept() holds the lowest free descriptor number
      // reserved for as long as it waits, so a program that counts or rations its descriptors would
      // find one missing. The socket is non-blocking: a client that leaves between the two calls
      // makes accept() fail with EAGAIN instead of blocking.
      pollfd waiting{fd, POLLIN, 0};
      if (::poll(&waiting, 1, -1) < 0 && errno != EINTR) std::this_thread::sleep_for(milliseconds(100));
      // shutdown() of the listening socket: the last loop left. (A non-blocking accept() on it would
      // only say EAGAIN.)
      if ((waiting.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) break;
      const int conn = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (conn >= 0) {
        serve(conn);
        ::close(conn);
        continue;
      }
      if (errno == EINVAL) break;  // shut down: the last loop left
      if (errno != EINTR && errno != ECONNABORTED)
        std::this_thread::sleep_for(milliseconds(100));  // EMFILE...
    }
    lock.lock();
    accepting = false;
    changed.notify_all();
    // Until the socket is closed, and another one opened.
    changed.wait(lock, [this, serving] { return !shutting_down && generation != serving; });
  }
}

void send_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client left, or stopped reading for the send timeout
    done += static_cast<std::size_t>(n);
  }
}

void agent::serve(int fd) {
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  tv.tv_sec = 2;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ucred peer{};
  socklen_t len = sizeof peer;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) return;
  if (peer.uid != 0 && peer.uid != ::geteuid()) {
    send_all(fd, "refused\tonly the process's own user, or root, may list its tasks\n");
    return;
  }
  std::string request;
  char buf[64];
  while (request.find('\n') == std::string::npos && request.size() < 256) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    request.append(buf, static_cast<std::size_t>(n));
  }
  if (request.substr(0, request.find('\n') + 1) != ps::k_request) {
    send_all(fd, "error\tunknown request\n");
    return;
  }
  send_all(fd, reply());
}

void append_line(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (const std::string_view f : fields) {
    if (!first) out += '\t';
    first = false;
    ps::append_escaped(out, f);
  }
  out += '\n';
}

std::string id_of(const void* p) {
  char text[32];
  std::snprintf(text, sizeof text, "%p", p);
  return text;
}

std::string agent::reply() {
  std::vector<loop_snapshot> snapshots;
  {
    // Held while the loops are read: a loop cannot leave (and be destroyed) meanwhile.
    std::lock_guard<std::mutex> lock(mutex);
    for (const loop_entry& e : loops) {
      loop_snapshot& snap = snapshots.emplace_back();
      snap.tid = e.tid;
      auto read_loop = [&snap, &e](const parked_thread& parked) {
        if (!parked.held) return;
        snap.answered = true;
        snap.running = parked.task;
        for (task_header* t : e.loop->tasks()) snap.tasks.push_back(snapshot_task(t));
      };
      run_while_parked(e.thread, k_park_wait, read_loop);
    }
  }
  // The loops run again: the names of code are looked up now (the symbol tables are read on first use).
  std::string out;
  append_line(out, {"aio-ps", ps::k_version, std::to_string(pid)});
  for (const loop_snapshot& snap : snapshots) {
    append_line(out, {"loop", std::to_string(snap.tid), snap.running != nullptr ? id_of(snap.running) : "-"});
    if (!snap.answered) {
      append_line(out, {"error", "the loop's thread did not answer the signal " +
                                     std::to_string(park_signal()) + " (blocked?)"});
      continue;
    }
    for (const task_snapshot& t : snap.tasks) {
      append_line(out, {"task", id_of(t.task), t.name});
      for (const void* address : t.stack) append_line(out, {"frame", symbolize(address)});
      for (const task_snapshot::waiter& w : t.awaited_by) append_line(out, {"waiter", id_of(w.task), w.via});
    }
  }
  append_line(out, {"end"});
  return out;
}

std::mutex g_agent_mutex;
agent* g_agent = nullptr;  // leaked on purpose (see agent)

// The agent of this process, its thread started on first use (again in a forked child, which has
// none).
agent* the_agent() {
  std::lock_guard<std::mutex> lock(g_agent_mutex);
  if (g_agent != nullptr && g_agent->pid == ::getpid()) return g_agent;
  if (g_agent != nullptr && g_agent->listen_fd >= 0) ::close(g_agent->listen_fd);  // the parent's
  install_park_handler();
  auto* a = new agent();  // NOLINT(cppcoreguidelines-owning-memory): lives as long as the process
  // The thread takes no signal: a process-wide signal goes to a thread that expects it.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  try {
    std::thread([a] { a->run(); }).detach();
  } catch (const std::system_error&) {  // no thread: no agent (the program runs on, unlisted)
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    delete a;  // NOLINT(cppcoreguidelines-owning-memory)
    return nullptr;
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  g_agent = a;
  return a;
}

bool enabled() {
  const char* env = std::getenv("AIO_PS");
  return env == nullptr || std::strcmp(env, "0") != 0;
}

}  // namespace

ps_registration::ps_registration(event_loop& loop) {
  if (!enabled()) return;
  agent* found = the_agent();
  if (found == nullptr) return;
  agent& a = *found;
  std::lock_guard<std::mutex> lock(a.mutex);
  a.loops.push_back({&loop, ::pthread_self(), ::gettid()});
  if (a.loops.size() == 1 && a.listen_fd < 0) {
    a.listen_fd = open_socket();  // -1 (not listed) if the name is taken
    ++a.generation;
    a.changed.notify_all();
  }
  m_loop = &loop;
  m_agent = found;
}

ps_registration::~ps_registration() {
  // Not listed, or listed by the parent of this forked process (whose agent is not ours to touch).
  if (m_loop == nullptr || static_cast<agent*>(m_agent)->pid != ::getpid()) return;
  agent& a = *static_cast<agent*>(m_agent);
  std::unique_lock<std::mutex> lock(a.mutex);
  const auto it = std::find_if(a.loops.begin(), a.loops.end(), [this](const loop_entry& e) {
    return e.loop == m_loop && ::pthread_equal(e.thread, ::pthread_self()) != 0;
  });
  if (it != a.loops.end()) a.loops.erase(it);
  if (!a.loops.empty() || a.listen_fd < 0) return;
  // The last loop: close the socket now (a run leaves no descriptor behind), once the agent is out of
  // accept() and done with any request.
  a.shutting_down = true;
  ::shutdown(a.listen_fd, SHUT_RDWR);
  a.changed.wait(lock, [&a] { return !a.accepting; });
  ::close(a.listen_fd);
  a.listen_fd = -1;
  a.shutting_down = false;
  a.changed.notify_all();
}

}  // namespace aio::detail
