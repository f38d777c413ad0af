// ssl_context over real loopback TLS connections: verification (chain, expiry, host name), the errors
// that name the reason, ALPN, SNI, large transfers, close_notify, handshake timeout and cancellation.

#include <string>
#include <system_error>

#include "aio/aio.hpp"
#include "test_certs.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::certs;
using aio_test::k_real;

/// A TLS server whose connections echo every line back until EOF, then close (close_notify).
aio::coro<aio::server> echo_server(aio::ssl_context ctx) {
  aio::client_connected_cb cb = [](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
    for (;;) {
      const std::string line = co_await r.readline();
      if (line.empty()) break;
      w.write(line);
      co_await w.drain();
    }
    w.close();
    co_await w.wait_closed();
  };
  aio::server_options opts;
  opts.ssl = std::move(ctx);
  co_return co_await aio::start_server(std::move(cb), "127.0.0.1", 0, opts);
}

aio::ssl_context trusting_client() {
  aio::ssl_context ctx = aio::ssl_context::client();
  ctx.load_verify_locations(certs().ca);
  return ctx;
}

struct failure {
  std::string what;
  std::error_code code;
  bool timed_out = false;
};

/// Connects with TLS to 127.0.0.1:port as `host`, expecting the handshake to fail.
aio::coro<failure> failed_connect(std::uint16_t port, aio::ssl_context ctx, std::string host,
                                  std::chrono::milliseconds timeout = 60s) {
  aio::connection_options opts;
  opts.ssl = std::move(ctx);
  opts.server_hostname = host;
  opts.ssl_handshake_timeout = timeout;
  failure f;
  try {
    auto [r, w] = co_await aio::open_connection("127.0.0.1", port, opts);
    ADD_FAILURE() << "the TLS handshake succeeded";
  } catch (const std::system_error& e) {
    f.what = e.what();
    f.code = e.code();
  } catch (const aio::timeout_error& e) {
    f.what = e.what();
    f.timed_out = true;
  }
  co_return f;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(tls_ssl_context, echo_over_tls_verifying_the_server) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv = co_await echo_server(aio::ssl_context::server(c->server_cert, c->server_key));
        aio::connection_options opts;
        opts.ssl = trusting_client();
        opts.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        EXPECT_NE(std::any_cast<void*>(w.get_extra_info("ssl_object")), nullptr);
        EXPECT_EQ(std::any_cast<std::string>(w.get_extra_info("tls_version")), "TLSv1.3");
        EXPECT_EQ(std::any_cast<std::string>(w.get_extra_info("server_hostname")), "localhost");
        EXPECT_FALSE(std::any_cast<std::string>(w.get_extra_info("cipher")).empty());
        EXPECT_FALSE(w.can_write_eof());
        w.write("hello\n");
        w.write("over TLS\n");
        const std::string l1 = co_await r.readline();
        const std::string l2 = co_await r.readline();
        EXPECT_EQ(l1, "hello\n");
        EXPECT_EQ(l2, "over TLS\n");
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(tls_ssl_context, an_ip_address_is_verified_against_the_certificate) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv = co_await echo_server(aio::ssl_context::server(c->server_cert, c->server_key));
        aio::connection_options opts;
        opts.ssl = trusting_client();  // server_hostname defaults to the host: 127.0.0.1 (IP SAN)
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        w.write("ip\n");
        const std::string line = co_await r.readline();
        EXPECT_EQ(line, "ip\n");
        w.close();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
}

TEST(tls_ssl_context, a_certificate_for_another_host_is_a_host_name_mismatch) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv =
            co_await echo_server(aio::ssl_context::server(c->wrong_host_cert, c->wrong_host_key));
        const failure f = co_await failed_connect(srv.port(), trusting_client(), "localhost");
        EXPECT_EQ(f.code, aio::tls_errc::certificate_verify_failed) << f.what;
        EXPECT_TRUE(contains(f.what, "hostname mismatch")) << f.what;
        EXPECT_TRUE(contains(f.what, "localhost (127.0.0.1:")) << f.what;
        // The reverse: the right certificate, asked for another name.
        aio::server srv2 = co_await echo_server(aio::ssl_context::server(c->server_cert, c->server_key));
        const failure f2 = co_await failed_connect(srv2.port(), trusting_client(), "wrong.example");
        EXPECT_TRUE(contains(f2.what, "hostname mismatch")) << f2.what;
        srv.close();
        srv2.close();
        co_await srv.wait_closed();
        co_await srv2.wait_closed();
      }(c),
      k_real);
  // The servers saw their clients give up (an alert) but report nothing outside debug mode.
  EXPECT_TRUE(aio_test::reports().empty());
}

TEST(tls_ssl_context, an_expired_certificate_is_refused) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv = co_await echo_server(aio::ssl_context::server(c->expired_cert, c->expired_key));
        const failure f = co_await failed_connect(srv.port(), trusting_client(), "localhost");
        EXPECT_EQ(f.code, aio::tls_errc::certificate_verify_failed) << f.what;
        EXPECT_TRUE(contains(f.what, "certificate has expired")) << f.what;
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
}

TEST(tls_ssl_context, an_unknown_ca_fails_verification) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        // Self-signed, not trusted.
        aio::server srv =
            co_await echo_server(aio::ssl_context::server(c->self_signed_cert, c->self_signed_key));
        const failure f = co_await failed_connect(srv.port(), trusting_client(), "localhost");
        EXPECT_EQ(f.code, aio::tls_errc::certificate_verify_failed) << f.what;
        EXPECT_TRUE(contains(f.what, "self-signed certificate") ||
                    contains(f.what, "self signed certificate"))
            << f.what;
        EXPECT_TRUE(contains(f.what, "certificate verify failed")) << f.what;
        // Signed by the test CA, but the client trusts only the system store.
        aio::server srv2 = co_await echo_server(aio::ssl_context::server(c->server_cert, c->server_key));
        const failure f2 = co_await failed_connect(srv2.port(), aio::ssl_context::client(), "localhost");
        EXPECT_EQ(f2.code, aio::tls_errc::certificate_verify_failed) << f2.what;
        EXPECT_TRUE(contains(f2.what, "unable to get local issuer certificate")) << f2.what;
        srv.close();
        srv2.close();
        co_await srv.wait_closed();
        co_await srv2.wait_closed();
      }(c),
      k_real);
}

TEST(tls_ssl_context, set_verify_false_accepts_any_certificate) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::server srv =
            co_await echo_server(aio::ssl_context::server(c->self_signed_cert, c->self_signed_key));
        aio::ssl_context ctx = aio::ssl_context::client();
        ctx.set_verify(false);
        EXPECT_FALSE(ctx.verifies());
        aio::connection_options opts;
        opts.ssl = ctx;
        opts.server_hostname = "anything.example";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        w.write("unverified\n");
        const std::string line = co_await r.readline();
        EXPECT_EQ(line, "unverified\n");
        w.close();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
}

TEST(tls_ssl_context, a_plain_text_server_is_named_as_such) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::client_connected_cb cb = [](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
          w.write("220 plain text greeting\r\n");
          co_await r.read();  // until the client gives up
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        const failure f = co_await failed_connect(srv.port(), aio::ssl_context::client(), "localhost");
        EXPECT_EQ(f.code, aio::tls_errc::not_tls) << f.what;
        EXPECT_TRUE(contains(f.what, "wrong version number")) << f.what;
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(tls_ssl_context, a_plain_server_that_never_answers_times_the_handshake_out) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::client_connected_cb cb = [](aio::stream_reader r, aio::stream_writer) -> aio::coro<> {
          co_await r.read();  // swallows the ClientHello, says nothing, until EOF
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        const auto start = aio::get_running_loop().time();
        const failure f = co_await failed_connect(srv.port(), aio::ssl_context::client(), "localhost", 200ms);
        EXPECT_TRUE(f.timed_out) << f.what;
        EXPECT_TRUE(contains(f.what, "aio: TLS handshake with localhost (127.0.0.1:")) << f.what;
        EXPECT_TRUE(contains(f.what, "timed out")) << f.what;
        EXPECT_GE(aio_test::seconds_since(start), 0.19);
        srv.close();
        co_await srv.wait_closed();
      }(),
      k_real);
}

TEST(tls_ssl_context, cancelling_a_task_in_the_handshake_leaks_nothing) {
  aio_test::run(
      []() -> aio::coro<> {
        aio::client_connected_cb cb = [](aio::stream_reader r, aio::stream_writer) -> aio::coro<> {
          co_await r.read();
        };
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0);
        auto connecting = aio::create_task([](std::uint16_t port) -> aio::coro<> {
          aio::connection_options opts;
          opts.ssl = aio::ssl_context::client();
          auto [r, w] = co_await aio::open_connection("127.0.0.1", port, opts);
          ADD_FAILURE() << "connected";
        }(srv.port()));
        co_await aio::sleep(50ms);
        EXPECT_FALSE(connecting.done());
        connecting.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(connecting);
        EXPECT_TRUE(cancelled);
        srv.close();
        co_await srv.wait_closed();  // the server saw EOF: the client's socket is closed
      }(),
      k_real);  // aio_test::run checks that no fd, task or timer is left
}

TEST(tls_ssl_context, alpn_picks_the_servers_first_choice_the_client_offers) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        std::string seen_by_server;
        aio::client_connected_cb cb = [&](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
          seen_by_server = std::any_cast<std::string>(w.get_extra_info("alpn_protocol"));
          co_await r.read();
        };
        aio::ssl_context server_ctx = aio::ssl_context::server(c->server_cert, c->server_key);
        const std::vector<std::string> server_protocols{"h2", "http/1.1"};
        server_ctx.set_alpn_protocols(server_protocols);
        aio::server_options so;
        so.ssl = server_ctx;
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0, so);

        aio::ssl_context client_ctx = trusting_client();
        const std::vector<std::string> client_protocols{"spdy/1", "http/1.1", "h2"};
        client_ctx.set_alpn_protocols(client_protocols);
        aio::connection_options opts;
        opts.ssl = client_ctx;
        opts.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        EXPECT_EQ(std::any_cast<std::string>(w.get_extra_info("alpn_protocol")), "h2");
        w.close();
        co_await w.wait_closed();

        // Nothing in common: no ALPN, and the connection still works.
        aio::ssl_context other = trusting_client();
        const std::vector<std::string> other_protocols{"imap"};
        other.set_alpn_protocols(other_protocols);
        opts.ssl = other;
        auto [r2, w2] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        EXPECT_EQ(std::any_cast<std::string>(w2.get_extra_info("alpn_protocol")), "");
        w2.close();
        co_await w2.wait_closed();
        srv.close();
        co_await srv.wait_closed();
        EXPECT_EQ(seen_by_server, "");  // the last connection's
      }(c),
      k_real);
}

TEST(tls_ssl_context, the_server_sees_the_sni_name) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        std::string sni;
        aio::client_connected_cb cb = [&](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
          sni = std::any_cast<std::string>(w.get_extra_info("server_hostname"));
          co_await r.read();
        };
        aio::server_options so;
        so.ssl = aio::ssl_context::server(c->server_cert, c->server_key);
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0, so);
        aio::connection_options opts;
        opts.ssl = trusting_client();
        opts.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
        EXPECT_EQ(sni, "localhost");
      }(c),
      k_real);
}

TEST(tls_ssl_context, eight_mebibytes_each_way) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        constexpr std::size_t k_size = std::size_t{8} << 20;
        aio::client_connected_cb cb = [](aio::stream_reader r, aio::stream_writer w) -> aio::coro<> {
          for (;;) {  // echo in chunks, with flow control
            const std::string chunk = co_await r.read(64 * 1024);
            if (chunk.empty()) break;
            w.write(chunk);
            co_await w.drain();
          }
          w.close();
          co_await w.wait_closed();
        };
        aio::server_options so;
        so.ssl = aio::ssl_context::server(c->server_cert, c->server_key);
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0, so);
        aio::connection_options opts;
        opts.ssl = trusting_client();
        opts.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        std::string payload(k_size, '\0');
        for (std::size_t i = 0; i < k_size; ++i)
          payload[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
        auto sending = aio::create_task([](aio::stream_writer w, const std::string* p) -> aio::coro<> {
          for (std::size_t at = 0; at < p->size(); at += 1 << 20) {
            w.write(std::string_view(*p).substr(at, 1 << 20));
            co_await w.drain();
          }
        }(w, &payload));
        const std::string echoed = co_await r.readexactly(k_size);
        co_await sending;
        EXPECT_TRUE(echoed == payload);
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
}

TEST(tls_ssl_context, close_sends_close_notify_and_the_peer_sees_a_clean_eof) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::client_connected_cb cb = [](aio::stream_reader, aio::stream_writer w) -> aio::coro<> {
          w.write("last words");
          w.close();  // close_notify after the data
          co_await w.wait_closed();
        };
        aio::server_options so;
        so.ssl = aio::ssl_context::server(c->server_cert, c->server_key);
        aio::server srv = co_await aio::start_server(std::move(cb), "127.0.0.1", 0, so);
        aio::connection_options opts;
        opts.ssl = trusting_client();
        opts.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        const std::string all = co_await r.read();  // until EOF: no error
        EXPECT_EQ(all, "last words");
        EXPECT_TRUE(r.at_eof());
        const std::string more = co_await r.read(10);
        EXPECT_EQ(more, "");
        w.close();
        co_await w.wait_closed();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
}

TEST(tls_ssl_context, a_server_can_require_client_certificates) {
  const aio_test::test_certs* c = &certs();
  aio_test::run(
      [](const aio_test::test_certs* c) -> aio::coro<> {
        aio::ssl_context server_ctx = aio::ssl_context::server(c->server_cert, c->server_key);
        server_ctx.load_verify_locations(c->ca).require_client_certificate();
        aio::server srv = co_await echo_server(server_ctx);
        aio::ssl_context with_cert = trusting_client();
        with_cert.load_cert_chain(c->server_cert, c->server_key);
        aio::connection_options opts;
        opts.ssl = with_cert;
        opts.server_hostname = "localhost";
        auto [r, w] = co_await aio::open_connection("127.0.0.1", srv.port(), opts);
        w.write("mutual\n");
        const std::string line = co_await r.readline();
        EXPECT_EQ(line, "mutual\n");
        w.close();
        // Without a certificate the server refuses; in TLS 1.3 the client learns it at its first read.
        aio::connection_options no_cert;
        no_cert.ssl = trusting_client();
        no_cert.server_hostname = "localhost";
        auto [r2, w2] = co_await aio::open_connection("127.0.0.1", srv.port(), no_cert);
        w2.write("no cert\n");
        bool refused = false;
        try {
          co_await r2.readline();
        } catch (const std::system_error& e) {
          refused = contains(e.what(), "certificate required");
          EXPECT_TRUE(refused) << e.what();
        }
        EXPECT_TRUE(refused);
        w2.close();
        srv.close();
        co_await srv.wait_closed();
      }(c),
      k_real);
}

TEST(tls_ssl_context, loading_errors_name_the_file) {
  const aio_test::test_certs& c = certs();
  try {
    aio::ssl_context::server(c.dir + "/missing.pem", c.server_key);
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_TRUE(contains(e.what(), "missing.pem")) << e.what();
  }
  try {
    aio::ssl_context::server(c.server_cert, c.wrong_host_key);
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_TRUE(contains(e.what(), "mismatch")) << e.what();
  }
  try {
    aio::ssl_context::client().load_verify_locations(c.server_key);
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_TRUE(contains(e.what(), "server.key")) << e.what();
  }
  aio::ssl_context empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_THROW(empty.set_verify(false), std::invalid_argument);
  const std::vector<std::string> bad{""};
  EXPECT_THROW(aio::ssl_context::client().set_alpn_protocols(bad), std::invalid_argument);
  EXPECT_EQ(std::error_code(aio::tls_errc::not_tls).category().name(), std::string("aio.tls"));
  EXPECT_TRUE(aio::ssl_context::client().verifies());
  EXPECT_TRUE(aio::ssl_context::server(c.server_cert, c.server_key).is_server());
}

}  // namespace
