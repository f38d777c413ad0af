#pragma once
/// @file ssl_context.hpp
/// `aio::ssl_context`: TLS settings shared by many connections (Python's ssl.SSLContext), backed by
/// OpenSSL 3 (no OpenSSL header leaks out of aio). A cheap handle: copies share one context.
/// Also `aio::tls_category()`, the error category of TLS handshake failures.

#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace aio {

/// Why a TLS handshake failed: the `code()` of the `std::system_error` it throws (category
/// `aio::tls_category()`). The exception's `what()` names the peer and OpenSSL's reason.
enum class tls_errc {
  handshake_failed = 1,       ///< any other TLS failure (an alert from the peer, no common cipher, ...)
  certificate_verify_failed,  ///< the peer's certificate: unknown CA, expired, host name mismatch, ...
  not_tls,                    ///< the peer does not speak TLS ("wrong version number", "http request")
  closed_during_handshake,    ///< the connection ended (EOF, reset, close()) before the handshake did
};

/// The category of `tls_errc` (name "aio.tls").
const std::error_category& tls_category() noexcept;
inline std::error_code make_error_code(tls_errc e) noexcept { return {static_cast<int>(e), tls_category()}; }

/// A TLS context for clients or servers. Build with `client()` or `server()`; configure it before the
/// first connection uses it (settings apply to connections started afterwards).
///
/// Every context requires TLS 1.2 or later and refuses renegotiation. A client context verifies the
/// server's certificate chain (system CA store) and its host name; `set_verify(false)` turns both off.
///
/// @par Errors
/// Loading files throws `std::system_error` naming the file and OpenSSL's reason. Calling a member on
/// an empty (default-constructed) context throws `std::invalid_argument`.
/// @par Thread safety
/// A context may be used by connections on several loops at once once configured; configure it from
/// one thread.
/// @par Example
/// @code
/// auto ctx = aio::ssl_context::client();
/// ctx.set_alpn_protocols({"h2", "http/1.1"});
/// auto [reader, writer] = co_await aio::open_connection("example.org", 443, {.ssl = ctx});
/// auto alpn = std::any_cast<std::string>(writer.get_extra_info("alpn_protocol"));
/// @endcode
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

  /// Trusts the CA certificates in a PEM file, or a hashed directory of them (in addition to the system
  /// store for clients). Servers use them to verify client certificates.
  ssl_context& load_verify_locations(const std::string& ca_file);
  /// Client: present this certificate (mutual TLS). Server: as `server()`.
  ssl_context& load_cert_chain(const std::string& cert_file, const std::string& key_file);
  /// Client: turns certificate and host-name verification off (never for production; tests and
  /// debugging) or back on. Server: as `require_client_certificate(on)`.
  ssl_context& set_verify(bool on);
  /// Server: ask clients for a certificate verified against the loaded CAs, and refuse clients
  /// without one.
  ssl_context& require_client_certificate(bool on = true);
  /// ALPN protocols in preference order ("h2", "http/1.1"). A client offers them; a server picks the
  /// first of its own list that the client offers (none in common: no ALPN, the handshake goes on).
  /// The result is `writer.get_extra_info("alpn_protocol")` (a `std::string`, "" when none).
  ssl_context& set_alpn_protocols(const std::vector<std::string>& protocols);
  [[nodiscard]] bool verifies() const noexcept;
  [[nodiscard]] bool is_server() const noexcept;
  [[nodiscard]] bool valid() const noexcept { return m_impl != nullptr; }
  [[nodiscard]] impl* get() const noexcept { return m_impl.get(); }

 private:
  explicit ssl_context(std::shared_ptr<impl> p) noexcept : m_impl(std::move(p)) {}
  impl& checked() const;
  std::shared_ptr<impl> m_impl;
};

}  // namespace aio

template <>
struct std::is_error_code_enum<aio::tls_errc> : std::true_type {};
