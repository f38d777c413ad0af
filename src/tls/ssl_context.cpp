// aio::ssl_context: an SSL_CTX with Python's defaults (ssl.create_default_context()), and tls_category().

#include "aio/tls/ssl_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "ssl_context_impl.hpp"

namespace aio {

namespace {

class tls_error_category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "aio.tls"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<tls_errc>(ev)) {
      case tls_errc::handshake_failed:
        return "TLS handshake failed";
      case tls_errc::certificate_verify_failed:
        return "certificate verify failed";
      case tls_errc::not_tls:
        return "the peer does not speak TLS";
      case tls_errc::closed_during_handshake:
        return "the connection closed during the TLS handshake";
    }
    return "unknown TLS error";
  }
};

[[noreturn]] void throw_openssl(const std::string& what) {
  throw std::system_error(EINVAL, std::generic_category(), "aio: " + what + ": " + detail::openssl_errors());
}

/// A missing file is ENOENT with its name (OpenSSL's own report of it is obscure).
void check_exists(const std::string& path, const char* what) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw std::system_error(ENOENT, std::generic_category(),
                            std::string("aio: cannot load ") + what + " '" + path + "'");
  }
}

SSL_CTX* new_ctx(bool server) {
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr) throw_openssl("cannot create a TLS context");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  return ctx;
}

/// Server: picks the first protocol of its own list that the client offers (no overlap: no ALPN).
int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
  const auto* self = static_cast<const ssl_context::impl*>(arg);
  if (self->alpn.empty()) return SSL_TLSEXT_ERR_NOACK;
  unsigned char* chosen = nullptr;
  unsigned char chosen_len = 0;
  if (SSL_select_next_proto(&chosen, &chosen_len, self->alpn.data(),
                            static_cast<unsigned int>(self->alpn.size()), in,
                            inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  *outlen = chosen_len;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

const std::error_category& tls_category() noexcept {
  static const tls_error_category category;
  return category;
}

namespace detail {
std::string openssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {  // NOLINT(google-runtime-int): OpenSSL's type
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out += ": ";
    out += reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(e));
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}
}  // namespace detail

ssl_context::impl& ssl_context::checked() const {
  if (!m_impl) {
    throw std::invalid_argument("aio: empty ssl_context; build it with ssl_context::client() or server()");
  }
  return *m_impl;
}

ssl_context ssl_context::client() {
  auto p = std::make_shared<impl>(new_ctx(false), false);
  ERR_clear_error();
  if (SSL_CTX_set_default_verify_paths(p->ctx) != 1) throw_openssl("cannot load the system CA store");
  ssl_context c(std::move(p));
  c.set_verify(true);
  return c;
}

ssl_context ssl_context::server(const std::string& cert_file, const std::string& key_file) {
  auto p = std::make_shared<impl>(new_ctx(true), true);
  SSL_CTX_set_alpn_select_cb(p->ctx, &select_alpn, p.get());
  ssl_context c(std::move(p));
  c.load_cert_chain(cert_file, key_file);
  return c;
}

ssl_context& ssl_context::load_verify_locations(const std::string& ca_file) {
  impl& self = checked();
  check_exists(ca_file, "CA certificates from");
  ERR_clear_error();
  std::error_code ec;
  const bool dir = std::filesystem::is_directory(ca_file, ec);
  const int ok = dir ? SSL_CTX_load_verify_locations(self.ctx, nullptr, ca_file.c_str())
                     : SSL_CTX_load_verify_locations(self.ctx, ca_file.c_str(), nullptr);
  if (ok != 1) throw_openssl("cannot load CA certificates from '" + ca_file + "'");
  return *this;
}

ssl_context& ssl_context::load_cert_chain(const std::string& cert_file, const std::string& key_file) {
  impl& self = checked();
  check_exists(cert_file, "the certificate chain");
  check_exists(key_file, "the private key");
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(self.ctx, cert_file.c_str()) != 1) {
    throw_openssl("cannot load the certificate chain '" + cert_file + "'");
  }
  if (SSL_CTX_use_PrivateKey_file(self.ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw_openssl("cannot load the private key '" + key_file + "'");
  }
  if (SSL_CTX_check_private_key(self.ctx) != 1) {
    throw_openssl("the private key '" + key_file + "' does not match the certificate '" + cert_file + "'");
  }
  return *this;
}

ssl_context& ssl_context::set_verify(bool on) {
  impl& self = checked();
  if (self.is_server) return require_client_certificate(on);
  self.verify = on;
  SSL_CTX_set_verify(self.ctx, on ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return *this;
}

ssl_context& ssl_context::require_client_certificate(bool on) {
  impl& self = checked();
  if (!self.is_server) throw std::invalid_argument("aio: require_client_certificate() on a client context");
  self.verify = on;
  SSL_CTX_set_verify(self.ctx, on ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_NONE,
                     nullptr);
  return *this;
}

ssl_context& ssl_context::set_alpn_protocols(const std::vector<std::string>& protocols) {
  impl& self = checked();
  std::vector<unsigned char> wire;
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) {
      throw std::invalid_argument("aio: an ALPN protocol name has 1 to 255 bytes: '" + p + "'");
    }
    wire.push_back(static_cast<unsigned char>(p.size()));
    wire.insert(wire.end(), p.begin(), p.end());
  }
  // Clients send the list in the ClientHello; servers read `alpn` in select_alpn.
  if (!self.is_server &&
      SSL_CTX_set_alpn_protos(self.ctx, wire.data(), static_cast<unsigned>(wire.size())) != 0) {
    throw std::system_error(ENOMEM, std::generic_category(), "aio: cannot set the ALPN protocols");
  }
  self.alpn = std::move(wire);
  return *this;
}

bool ssl_context::verifies() const noexcept { return m_impl && m_impl->verify; }
bool ssl_context::is_server() const noexcept { return m_impl && m_impl->is_server; }

}  // namespace aio
