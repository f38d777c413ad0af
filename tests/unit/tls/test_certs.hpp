#pragma once
// Certificates for the TLS tests, made at test time with the `openssl` command in a temporary
// directory (removed at exit): a CA, certificates it signs (for localhost and 127.0.0.1, an expired
// one, one for another host), and a self-signed one. Generated once per test program.

#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp (POSIX)

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace aio_test {

struct test_certs {
  std::string dir;
  std::string ca;                                 // the test CA's certificate (trust it to verify the rest)
  std::string server_cert, server_key;            // localhost, 127.0.0.1; signed by the CA
  std::string expired_cert, expired_key;          // as server_cert, but expired yesterday
  std::string wrong_host_cert, wrong_host_key;    // for "wrong.example"; signed by the CA
  std::string self_signed_cert, self_signed_key;  // localhost, signed by itself
  bool ok = false;

  test_certs() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aio-tls-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return;
    dir = tmpl;
    auto path = [&](const char* name) { return dir + "/" + name; };
    ca = path("ca.pem");
    server_cert = path("server.pem");
    server_key = path("server.key");
    expired_cert = path("expired.pem");
    expired_key = server_key;
    wrong_host_cert = path("wrong.pem");
    wrong_host_key = path("wrong.key");
    self_signed_cert = path("self.pem");
    self_signed_key = path("self.key");
    std::ofstream(path("localhost.ext")) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    std::ofstream(path("wrong.ext")) << "subjectAltName=DNS:wrong.example\n";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string sign = " -CA ca.pem -CAkey ca.key -CAcreateserial";
    ok =
        sh("openssl req -x509" + ec + " -keyout ca.key -out ca.pem -days 30 -subj '/CN=aio test CA'") &&
        sh("openssl req" + ec + " -keyout server.key -out server.csr -subj /CN=localhost") &&
        sh("openssl x509 -req -in server.csr" + sign + " -out server.pem -days 30 -extfile localhost.ext") &&
        sh("openssl x509 -req -in server.csr" + sign + " -out expired.pem -days -1 -extfile localhost.ext") &&
        sh("openssl req" + ec + " -keyout wrong.key -out wrong.csr -subj /CN=wrong.example") &&
        sh("openssl x509 -req -in wrong.csr" + sign + " -out wrong.pem -days 30 -extfile wrong.ext") &&
        sh("openssl req -x509" + ec + " -keyout self.key -out self.pem -days 30 -subj /CN=localhost" +
           " -addext subjectAltName=DNS:localhost,IP:127.0.0.1");
  }
  test_certs(const test_certs&) = delete;
  test_certs& operator=(const test_certs&) = delete;
  ~test_certs() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }

 private:
  bool sh(const std::string& cmd) const {
    return std::system(("cd '" + dir + "' && " + cmd + " >/dev/null 2>&1").c_str()) == 0;
  }
};

/// The certificates, generated on first use (fails the test if the openssl command is missing).
inline const test_certs& certs() {
  static const test_certs c;
  EXPECT_TRUE(c.ok) << "the openssl command could not make the test certificates in " << c.dir;
  return c;
}

}  // namespace aio_test
