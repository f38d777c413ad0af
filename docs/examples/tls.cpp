// docs/guide/tls.md: the STARTTLS block, both sides, over a real loopback connection with a
// throwaway self-signed certificate (aio_test::run checks that nothing leaked).

#include <gtest/gtest.h>
#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): mkdtemp is POSIX

#include <aio/aio.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include "test_support.hpp"

namespace {

/// A self-signed certificate for localhost in a fresh temporary directory (removed by the caller).
std::string make_certificate() {
  std::string dir = (std::filesystem::temp_directory_path() / "aio-doc-tls-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return {};
  const std::string cmd = "cd '" + dir +
                          "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                          " -keyout key.pem -out cert.pem -days 1 -subj /CN=localhost"
                          " -addext subjectAltName=DNS:localhost >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  return dir;
}

std::string server_got;
std::string client_got;

// The block shows the two sides next to each other; here each is its own coroutine.
aio::coro<> server_side(aio::stream_reader r, aio::stream_writer w, aio::ssl_context server_ctx) {
  // the server
  w.write("220 go ahead\n");
  co_await w.start_tls(server_ctx);
  auto line = co_await r.readline();  // over TLS
  server_got = line;
  w.close();
  co_await w.wait_closed();
}

aio::coro<> client_side(aio::stream_reader r, aio::stream_writer w, aio::ssl_context client_ctx) {
  // the client
  std::string greeting = co_await r.readline();  // "220 go ahead"
  client_got = greeting;
  co_await w.start_tls(client_ctx, {.server_hostname = "localhost"});
  w.write("secret\n");
  co_await w.drain();
  co_await r.read();  // the server's close
  w.close();
  co_await w.wait_closed();
}

aio::coro<> starttls_main(std::string dir) {
  aio::ssl_context server_ctx = aio::ssl_context::server(dir + "/cert.pem", dir + "/key.pem");
  aio::ssl_context client_ctx = aio::ssl_context::client();
  client_ctx.load_verify_locations(dir + "/cert.pem");
  aio::client_connected_cb cb = [server_ctx](aio::stream_reader r, aio::stream_writer w) {
    return server_side(std::move(r), std::move(w), server_ctx);
  };
  aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", srv.port());
  co_await client_side(std::move(reader), std::move(writer), client_ctx);
  srv.close();
  co_await srv.wait_closed();
}

TEST(DocTls, Starttls) {
  const std::string dir = make_certificate();
  if (dir.empty()) GTEST_SKIP() << "the openssl command is not available";
  aio_test::run(starttls_main(dir), {.clock = aio::real_clock});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(client_got, "220 go ahead\n");
  EXPECT_EQ(server_got, "secret\n");
}

}  // namespace
