// tls_filter: drives an OpenSSL session through memory BIOs (see the header's design note).

#include "tls_filter.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <system_error>

#include "aio/net/socket_address.hpp"
#include "ssl_context_impl.hpp"

namespace aio::detail {

namespace {

constexpr std::size_t k_record = std::size_t{16} * 1024;  // the largest TLS record's plaintext
constexpr std::size_t k_chunk = std::size_t{1} << 30;     // BIO calls take an int length

bool is_ip_literal(const std::string& host) { return socket_address::from_ip(host, 0).has_value(); }

/// OpenSSL reasons that mean the peer is not speaking TLS at all.
bool means_not_tls(int reason) {
  return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_HTTP_REQUEST ||
         reason == SSL_R_HTTPS_PROXY_REQUEST || reason == SSL_R_UNKNOWN_PROTOCOL ||
         reason == SSL_R_PACKET_LENGTH_TOO_LONG || reason == SSL_R_RECORD_LENGTH_MISMATCH;
}

}  // namespace

tls_filter::tls_filter(stream_transport& t, ssl_context ctx, const std::string& host)
    : m_t(&t), m_ctx(std::move(ctx)), m_host(host) {
  ssl_context::impl& c = *m_ctx.get();
  ERR_clear_error();
  m_ssl = SSL_new(c.ctx);
  m_in = BIO_new(BIO_s_mem());
  m_out = BIO_new(BIO_s_mem());
  if (m_ssl == nullptr || m_in == nullptr || m_out == nullptr) {
    BIO_free(m_in);
    BIO_free(m_out);
    SSL_free(m_ssl);
    m_ssl = nullptr;
    throw std::system_error(ENOMEM, std::generic_category(),
                            "aio: cannot create a TLS session: " + openssl_errors());
  }
  // An empty input BIO means "no bytes yet" (retry), never EOF: the transport reports the real EOF.
  BIO_set_mem_eof_return(m_in, -1);
  BIO_set_mem_eof_return(m_out, -1);
  SSL_set_bio(m_ssl, m_in, m_out);  // the SSL owns both BIOs from now on
  if (c.is_server) {
    SSL_set_accept_state(m_ssl);
    return;
  }
  SSL_set_connect_state(m_ssl);
  if (host.empty()) return;
  const bool ip = is_ip_literal(host);
  bool ok = true;
  if (!ip) ok = SSL_set_tlsext_host_name(m_ssl, host.c_str()) == 1;  // RFC 6066: SNI names no address
  if (c.verify) {
    if (ip) {
      ok = ok && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(m_ssl), host.c_str()) == 1;
    } else {
      SSL_set_hostflags(m_ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = ok && SSL_set1_host(m_ssl, host.c_str()) == 1;
    }
  }
  if (!ok) {
    SSL_free(m_ssl);
    m_ssl = nullptr;
    throw std::system_error(EINVAL, std::generic_category(),
                            "aio: invalid TLS server_hostname '" + host + "': " + openssl_errors());
  }
}

tls_filter::~tls_filter() { SSL_free(m_ssl); }

std::string tls_filter::begin(std::string_view wire) {
  feed(wire);
  step_handshake();
  byte_buffer out;
  take_output(out);
  return std::string(out.view());
}

void tls_filter::feed(std::string_view wire) {
  while (!wire.empty()) {
    const std::size_t n = std::min(wire.size(), k_chunk);
    // A memory BIO grows as needed: the write takes every byte (or fails for lack of memory).
    if (BIO_write(m_in, wire.data(), static_cast<int>(n)) <= 0) throw std::bad_alloc();
    wire.remove_prefix(n);
  }
}

void tls_filter::step_handshake() {
  ERR_clear_error();
  const int r = SSL_do_handshake(m_ssl);
  if (r == 1) {
    m_state = state::open;
    if (!m_held.empty()) {
      const std::string held = std::move(m_held);
      m_held.clear();
      write_records(held);  // the caller takes the records out with the rest
    }
    return;
  }
  const int e = SSL_get_error(m_ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
  fail(e);
}

int tls_filter::read_records(byte_buffer& plain) {
  for (;;) {
    // Nothing left to decrypt: stop without touching `plain` (an idle stream keeps no buffer).
    if (BIO_ctrl_pending(m_in) == 0 && SSL_pending(m_ssl) == 0) return 0;
    char* dest = plain.prepare(k_record);
    std::size_t n = 0;
    ERR_clear_error();
    const int r = SSL_read_ex(m_ssl, dest, std::min(plain.tail_room(), k_chunk), &n);
    if (r == 1) {
      plain.commit(n);
      continue;
    }
    const int e = SSL_get_error(m_ssl, r);
    // WANT_READ: a partial record, or a record that carried no data (a TLS 1.3 session ticket).
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    if (e == SSL_ERROR_ZERO_RETURN) {  // close_notify: a clean end of the peer's stream
      m_peer_closed = true;
      return 0;
    }
    fail(e);
    return EPROTO;
  }
}

void tls_filter::take_output(byte_buffer& out) {
  for (;;) {
    const std::size_t pending = std::min<std::size_t>(BIO_ctrl_pending(m_out), k_chunk);
    if (pending == 0) return;
    char* dest = out.prepare(pending);
    const int n = BIO_read(m_out, dest, static_cast<int>(pending));
    if (n <= 0) return;
    out.commit(static_cast<std::size_t>(n));
  }
}

void tls_filter::fail(int ssl_error) {
  const bool was_handshaking = m_state == state::handshaking;
  m_state = state::failed;
  m_failure = tls_errc::handshake_failed;
  const long verify = SSL_get_verify_result(m_ssl);  // NOLINT(google-runtime-int): OpenSSL's type
  const unsigned long first = ERR_peek_error();      // NOLINT(google-runtime-int): OpenSSL's type
  if (was_handshaking && verify != X509_V_OK && ERR_GET_REASON(first) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    ERR_clear_error();
    m_failure = tls_errc::certificate_verify_failed;
    m_reason = X509_verify_cert_error_string(verify);
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      m_reason += " (the certificate is not for '" + m_host + "')";
    }
    return;
  }
  if (first == 0) {
    // No OpenSSL reason: the BIOs never fail, so this is an unexpected end of the handshake.
    m_reason = ssl_error == SSL_ERROR_SYSCALL ? "unexpected end of the TLS stream" : "TLS error";
    return;
  }
  if (was_handshaking && means_not_tls(ERR_GET_REASON(first))) m_failure = tls_errc::not_tls;
  m_reason = openssl_errors();
}

int tls_filter::on_received(std::string_view wire, byte_buffer& plain, byte_buffer& out) {
  if (m_state == state::failed) return EPROTO;
  feed(wire);
  int err = 0;
  const bool was_handshaking = m_state == state::handshaking;
  if (was_handshaking) step_handshake();
  // In the same bytes as the handshake's end there may already be application data.
  if (m_state == state::open) err = read_records(plain);
  take_output(out);  // handshake flights, alerts (also on failure: the peer learns why)
  if (m_state == state::failed) err = EPROTO;
  if (was_handshaking && m_state != state::handshaking) m_t->wake_readers();
  return err;
}

int tls_filter::on_wire_eof() {
  if (m_state != state::handshaking) return 0;  // a missing close_notify is tolerated, as asyncio does
  m_state = state::failed;
  m_failure = tls_errc::closed_during_handshake;
  m_reason = "the peer closed the connection";
  return ECONNRESET;
}

void tls_filter::encode(std::string_view plain, byte_buffer& out) {
  if (m_state == state::failed || m_close_sent) return;
  if (m_state == state::handshaking) {
    m_held.append(plain);
    return;
  }
  write_records(plain);
  take_output(out);
}

void tls_filter::write_records(std::string_view plain) {
  while (!plain.empty()) {
    const std::size_t n = std::min(plain.size(), k_chunk);
    std::size_t written = 0;
    ERR_clear_error();
    // Into a memory BIO a write never blocks: it succeeds whole, or the session has failed.
    if (SSL_write_ex(m_ssl, plain.data(), n, &written) != 1) {
      fail(SSL_get_error(m_ssl, 0));
      return;
    }
    plain.remove_prefix(written);
  }
}

void tls_filter::encode_close(byte_buffer& out) {
  if (m_state != state::open || m_close_sent) return;
  m_close_sent = true;
  ERR_clear_error();
  // One call queues close_notify; the peer's reply is not awaited (the fd closes after the flush).
  SSL_shutdown(m_ssl);
  ERR_clear_error();
  take_output(out);
}

std::any tls_filter::extra_info(std::string_view name) const {
  if (name == "alpn_protocol") {
    const unsigned char* p = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(m_ssl, &p, &len);
    if (p == nullptr) return std::string();
    return std::string(p, p + len);
  }
  if (name == "server_hostname") {
    if (SSL_is_server(m_ssl) == 0) return m_host;
    const char* sni = SSL_get_servername(m_ssl, TLSEXT_NAMETYPE_host_name);
    return std::string(sni != nullptr ? sni : "");
  }
  if (name == "tls_version") return std::string(SSL_get_version(m_ssl));
  if (name == "cipher") {
    const char* c = SSL_get_cipher_name(m_ssl);
    return std::string(c != nullptr ? c : "");
  }
  return {};
}

}  // namespace aio::detail
