#pragma once
// A private PostgreSQL server for the aio::pg tests, started once per test process.
//
// initdb runs once per machine user into a template directory (guarded by flock, as ctest runs test
// processes in parallel); each process copies it, starts `postgres` on a unix socket in its own temp
// directory and on a free loopback port, with fsync off, and stops it at exit. initdb and postgres
// refuse to run as root: then they run as the `postgres` system user, owning the directories.
// Without the server binaries the tests skip (CI installs them: postgresql in install-deps.sh).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace pg_test {

inline const char* const k_bin = "/usr/lib/postgresql/15/bin";

class server {
 public:
  server() { start(); }
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  ~server() { stop(); }

  [[nodiscard]] bool ok() const noexcept { return m_ok; }
  [[nodiscard]] const std::string& why_not() const noexcept { return m_why_not; }
  /// Over the unix socket.
  [[nodiscard]] std::string dsn() const {
    return "host=" + m_dir + " port=" + std::to_string(m_port) + " user=postgres dbname=postgres";
  }
  /// Over TCP on 127.0.0.1.
  [[nodiscard]] std::string tcp_dsn() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(m_port) + "/postgres";
  }
  [[nodiscard]] int port() const noexcept { return m_port; }
  /// The server's log (printed when a test fails).
  [[nodiscard]] std::string log() const {
    std::ifstream in(m_dir + "/server.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  /// `cmd` as the postgres user when we are root.
  [[nodiscard]] std::string as_owner(const std::string& cmd) const {
    return m_root ? "runuser -u postgres -- " + cmd : cmd;
  }
  void chown_to_owner(const std::string& path) const {
    if (!m_root) return;
    const passwd* pw = ::getpwnam("postgres");
    if (pw != nullptr) (void)::chown(path.c_str(), pw->pw_uid, pw->pw_gid);
  }
  static int run(const std::string& cmd) { return std::system(cmd.c_str()); }  // NOLINT(cert-env33-c)

  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port = ntohs(a.sin_port);
    }
    ::close(fd);
    return port;
  }

  /// The initdb'd template, made once (under an exclusive lock) and reused by every test process.
  std::string template_dir() {
    // v2: pg_hba.conf asks the role `pwuser` for a password (the bad-password test); trust for the rest.
    const std::string base = "/tmp/aio-pg-template-v2-" + std::to_string(::geteuid());
    std::filesystem::create_directories(base);
    chown_to_owner(base);
    const int lock = ::open((base + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (lock >= 0) (void)::flock(lock, LOCK_EX);
    const std::string data = base + "/data";
    if (!std::filesystem::exists(base + "/ready")) {
      std::filesystem::remove_all(data);
      const std::string cmd = std::string(k_bin) + "/initdb -D " + data +
                              " -A trust -U postgres -E UTF8 --no-sync --locale=C > " + base +
                              "/initdb.log 2>&1";
      if (run(as_owner(cmd)) == 0) {
        const std::string hba = data + "/pg_hba.conf";
        std::stringstream old;
        old << std::ifstream(hba).rdbuf();
        std::ofstream(hba) << "local all pwuser scram-sha-256\nhost all pwuser 127.0.0.1/32 scram-sha-256\n"
                           << old.str();
        std::ofstream(base + "/ready") << "ok\n";
      } else {
        m_why_not = "initdb failed (see " + base + "/initdb.log)";
      }
    }
    if (lock >= 0) ::close(lock);
    return data;
  }

  void start() {
    if (!std::filesystem::exists(std::string(k_bin) + "/postgres")) {
      m_why_not = std::string("no PostgreSQL server binaries in ") + k_bin + " (apt-get install postgresql)";
      return;
    }
    m_root = ::geteuid() == 0;
    if (m_root && ::getpwnam("postgres") == nullptr) {
      m_why_not = "running as root and there is no postgres user to run the server as";
      return;
    }
    const std::string tmpl = template_dir();
    if (!m_why_not.empty()) return;
    char dir[] = "/tmp/aio-pg-XXXXXX";
    if (::mkdtemp(dir) == nullptr) {
      m_why_not = "mkdtemp failed";
      return;
    }
    m_dir = dir;
    chown_to_owner(m_dir);
    if (run("cp -a " + tmpl + " " + m_dir + "/data") != 0) {
      m_why_not = "cannot copy the template data directory";
      return;
    }
    for (int attempt = 0; attempt < 5 && !m_ok; ++attempt) {
      m_port = free_port();
      const std::string cmd =
          std::string(k_bin) + "/pg_ctl -D " + m_dir + "/data -l " + m_dir + "/server.log -w -t 60 -o \"-k " +
          m_dir + " -p " + std::to_string(m_port) +
          " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" start > " + m_dir +
          "/pg_ctl.log 2>&1";
      m_ok = run(as_owner(cmd)) == 0;
    }
    if (!m_ok) {
      m_why_not = "the server did not start:\n" + log();
      return;
    }
    // A watchdog stops the server if this process dies without running stop() (a crash, a timeout).
    const std::string stop_cmd =
        as_owner(std::string(k_bin) + "/pg_ctl -D " + m_dir + "/data -m immediate -w stop");
    (void)run("setsid sh -c 'while kill -0 " + std::to_string(::getpid()) +
              " 2>/dev/null; do sleep 1; done; " + stop_cmd + "; rm -rf " + m_dir +
              "' </dev/null >/dev/null 2>&1 &");
  }

  void stop() {
    if (m_dir.empty()) return;
    if (m_ok) {
      (void)run(as_owner(std::string(k_bin) + "/pg_ctl -D " + m_dir +
                         "/data -m immediate -w stop > /dev/null 2>&1"));
    }
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }

  bool m_root = false;
  bool m_ok = false;
  std::string m_why_not;
  std::string m_dir;
  int m_port = 0;
};

/// The process's server, started on first use and stopped at exit.
inline server& get() {
  static server s;
  return s;
}

/// A test that needs the server: skips without it, prints the server's log when it fails.
class fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!get().ok()) GTEST_SKIP() << "aio::pg tests need a PostgreSQL server: " << get().why_not();
  }
  void TearDown() override {
    if (HasFailure() && get().ok())
      std::cerr << "---- PostgreSQL server log ----\n" << get().log() << "----\n";
  }
  [[nodiscard]] static std::string dsn() { return get().dsn(); }
  [[nodiscard]] static std::string tcp_dsn() { return get().tcp_dsn(); }
  /// aio_test::run's options: the real clock (the server's replies take real time).
  [[nodiscard]] static aio_test::options real_time() {
    aio_test::options o;
    o.clock = aio::real_clock;
    return o;
  }
};

}  // namespace pg_test
