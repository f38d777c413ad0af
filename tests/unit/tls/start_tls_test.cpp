// start_tls: upgrading open plain streams (STARTTLS), both sides, with the same reader and writer.

#include <string>
#include <system_error>

#include "aio/aio.hpp"
#include "test_certs.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::certs;
using aio_test::k_real;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// A STARTTLS server: greets in plain text, upgrades on "STARTTLS", then echoes lines over TLS.
aio::coro<aio::server> starttls_server(aio::ssl_context ctx) {
  aio::client_connected_cb cb = [ctx](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
    w.write("220 ready\n");
    const std::string command = co_await r.readline();
    if (command != "STARTTLS\n") co_return;
    w.write("220 go ahead\n");
    co_await w.start_tls(ctx);
    for (;;) {
      const std::string line = co_await r.readline();
      if (line.empty()) break;
      w.write("tls: " + line);
      co_await w.drain();
    }
    w.close();
    co_await w.wait_closed();
  };
  co_return co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
}

TEST(tls_start_tls, upgrades_a_plain_connection_on_both_sides) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv = co_await starttls_server(aio::ssl_context::server(c->server_cert, c->server_key));
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        const std::string greeting = co_await r.readline();
        EXPECT_EQ(greeting, "220 ready\n");
        w.write("STARTTLS\n");
        const std::string go = co_await r.readline();
        EXPECT_EQ(go, "220 go ahead\n");
        EXPECT_FALSE(w.get_extra_info("ssl_object").has_value());
        aio::ssl_context ctx = aio::ssl_context::client();
        ctx.load_verify_locations(c->ca);
        co_await w.start_tls(ctx, {.server_hostname = "localhost"});
        EXPECT_NE(std::any_cast<void*>(w.get_extra_info("ssl_object")), nullptr);
        w.write("secret\n");
        const std::string echoed = co_await r.readline();
        EXPECT_EQ(echoed, "tls: secret\n");
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(tls_start_tls, a_failed_upgrade_names_the_reason_and_closes_the_stream) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv = co_await starttls_server(aio::ssl_context::server(c->server_cert, c->server_key));
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        co_await r.readline();
        w.write("STARTTLS\n");
        co_await r.readline();
        std::string what;
        try {
          co_await w.start_tls(aio::ssl_context::client(), {.server_hostname = "localhost"});
        } catch (const std::system_error& e) {
          what = e.what();
          EXPECT_EQ(e.code(), aio::tls_errc::certificate_verify_failed);
        }
        EXPECT_TRUE(contains(what, "unable to get local issuer certificate")) << what;
        EXPECT_TRUE(w.is_closing());
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      {.clock = aio::real_clock, .expected_reports = 1});
  // The server's callback does not catch its own failed start_tls (the client refused the
  // certificate): an unhandled connection-callback exception, which the loop reports with the reason.
  ASSERT_EQ(aio_test::reports().size(), 1U);
  EXPECT_TRUE(contains(aio_test::reports()[0].message, "start_server connection callback"))
      << aio_test::reports()[0].message;
  EXPECT_TRUE(contains(aio_test::describe(aio_test::reports()[0]), "unknown ca"))
      << aio_test::describe(aio_test::reports()[0]);
}

TEST(tls_start_tls, misuse_is_refused_before_anything_is_sent) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv = co_await starttls_server(aio::ssl_context::server(c->server_cert, c->server_key));
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port());
        // A verifying client needs the name to check.
        EXPECT_THROW((void)w.start_tls(aio::ssl_context::client()), std::invalid_argument);
        EXPECT_THROW((void)w.start_tls(aio::ssl_context{}), std::invalid_argument);
        EXPECT_FALSE(w.is_closing());
        const std::string greeting = co_await r.readline();
        EXPECT_EQ(greeting, "220 ready\n");
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
}

}  // namespace
