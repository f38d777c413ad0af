#pragma once
// tls_filter: OpenSSL as a stream_filter, through two memory BIOs (docs/design/tls.md).
//
// The SSL object never touches the fd: wire bytes the transport read are written into `m_in`, and
// whatever OpenSSL wants to send (handshake flights, alerts, records, close_notify) is taken out of
// `m_out` into the transport's write buffer. So the transport keeps owning every syscall, its
// readiness cache and its flow control, and TLS works unchanged on every backend.
//
// States: handshaking -> open, or handshaking -> failed. While handshaking, `on_received` advances
// the handshake; when it completes (or fails) the transport's parked reader (start_tls's handshake
// wait) is woken. Application writes made during the handshake are held and sent after it.

#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "aio/net/detail/stream_transport.hpp"
#include "aio/tls/ssl_context.hpp"

namespace aio::detail {

class tls_filter final : public stream_filter {
 public:
  enum class state : unsigned char { handshaking, open, failed };

  /// A client or server (by `ctx`) TLS session on `t`. `host`: SNI and the name to verify (client).
  tls_filter(stream_transport& t, ssl_context ctx, const std::string& host);
  tls_filter(const tls_filter&) = delete;
  tls_filter& operator=(const tls_filter&) = delete;
  ~tls_filter() override;

  /// Feeds `wire` (bytes that arrived before the filter was installed) and takes the first handshake
  /// step; returns what must be sent (the ClientHello).
  std::string begin(std::string_view wire);

  [[nodiscard]] state current() const noexcept { return m_state; }
  [[nodiscard]] tls_errc failure() const noexcept { return m_failure; }
  /// The failure's reason ("certificate verify failed: hostname mismatch").
  [[nodiscard]] const std::string& reason() const noexcept { return m_reason; }

  int on_received(std::string_view wire, byte_buffer& plain, byte_buffer& out) override;
  int on_wire_eof() override;
  void encode(std::string_view plain, byte_buffer& out) override;
  void encode_close(byte_buffer& out) override;
  [[nodiscard]] void* native_handle() noexcept override { return m_ssl; }
  [[nodiscard]] std::string last_error() const override { return m_reason; }
  [[nodiscard]] std::any extra_info(std::string_view name) const override;
  [[nodiscard]] bool peer_closed() const noexcept override { return m_peer_closed; }

 private:
  void feed(std::string_view wire);
  void step_handshake();
  int read_records(byte_buffer& plain);
  void write_records(std::string_view plain);
  void take_output(byte_buffer& out);
  void fail(int ssl_error);

  stream_transport* m_t;
  ssl_context m_ctx;  // keeps the SSL_CTX alive as long as the session
  SSL* m_ssl = nullptr;
  BIO* m_in = nullptr;   // wire bytes from the peer (owned by m_ssl)
  BIO* m_out = nullptr;  // wire bytes for the peer (owned by m_ssl)
  state m_state = state::handshaking;
  tls_errc m_failure = tls_errc::handshake_failed;
  bool m_peer_closed = false;
  bool m_close_sent = false;
  std::string m_reason;
  std::string m_host;
  std::string m_held;  // application bytes written during the handshake
};

}  // namespace aio::detail
