#pragma once
/// @file ssl_context.hpp
/// `aio::ssl_context`: TLS settings shared by many connections (Python's ssl.SSLContext), backed by
/// OpenSSL. A cheap handle: copies share one context.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace aio {

/// A TLS context for clients or servers. Build with `client()` or `server()`.
class ssl_context {
 public:
  struct impl;

  ssl_context() = default;
  /// A client context that verifies the server's certificate chain against the system CA store and
  /// its host name (`ssl.create_default_context()`).
  static ssl_context client();
  /// A server context presenting the PEM certificate chain and private key.
  /// @par Errors `std::system_error` naming the file and OpenSSL's reason when they cannot be loaded.
  static ssl_context server(const std::string& cert_file, const std::string& key_file);

  /// Trusts the CA certificates in a PEM file (in addition to, or instead of, the system store).
  ssl_context& load_verify_locations(const std::string& ca_file);
  /// Client: present this certificate (mutual TLS). Server: as `server()`.
  ssl_context& load_cert_chain(const std::string& cert_file, const std::string& key_file);
  /// Turns certificate and host-name verification off (never for production; tests and debugging).
  ssl_context& set_verify(bool on);
  /// Server: ask clients for a certificate verified against the loaded CAs.
  ssl_context& require_client_certificate(bool on = true);
  /// ALPN protocols in preference order ("h2", "http/1.1").
  ssl_context& set_alpn_protocols(const std::vector<std::string>& protocols);
  [[nodiscard]] bool verifies() const noexcept;
  [[nodiscard]] bool is_server() const noexcept;
  [[nodiscard]] bool valid() const noexcept { return m_impl != nullptr; }
  [[nodiscard]] impl* get() const noexcept { return m_impl.get(); }

 private:
  explicit ssl_context(std::shared_ptr<impl> p) noexcept : m_impl(std::move(p)) {}
  std::shared_ptr<impl> m_impl;
};

}  // namespace aio
