#pragma once
// The OpenSSL side of aio::ssl_context (private: OpenSSL headers stay out of include/aio/).

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "aio/tls/ssl_context.hpp"

namespace aio {

struct ssl_context::impl {
  impl(SSL_CTX* c, bool server) noexcept : ctx(c), is_server(server) {}
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl() { SSL_CTX_free(ctx); }

  SSL_CTX* ctx;
  bool is_server;
  bool verify = false;              // client: chain and host name; server: client certificates required
  std::vector<unsigned char> alpn;  // wire format: length-prefixed names, in preference order
};

namespace detail {
/// OpenSSL's reasons for the last failure on this thread, "a: b" (clears the error queue).
std::string openssl_errors();
}  // namespace detail

}  // namespace aio
