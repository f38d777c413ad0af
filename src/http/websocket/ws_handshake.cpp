// The WebSocket opening handshake (RFC 6455 section 4): the accept value (SHA-1 through OpenSSL's EVP
// interface, then base64), random keys, and the checks each side makes of the other's headers.

#include "aio/http/websocket/ws_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "../text.hpp"
#include "aio/http/headers.hpp"

namespace aio::http {
namespace {

constexpr std::string_view ws_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

using aio::http::detail::trim_ows;

// Every value of header `name`, in order (a repeated header is one comma-separated list).
std::vector<std::string_view> values_of(std::span<const ws_header> headers, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

// Calls f on every non-empty element of the comma-separated lists of header `name`.
template <class F>
void for_each_token(std::span<const ws_header> headers, std::string_view name, F f) {
  for (std::string_view v : values_of(headers, name)) {
    while (!v.empty()) {
      const std::size_t comma = v.find(',');
      const std::string_view item = trim_ows(v.substr(0, comma));
      if (!item.empty()) f(item);
      v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    }
  }
}

bool has_token(std::span<const ws_header> headers, std::string_view name, std::string_view token) {
  bool found = false;
  for_each_token(headers, name, [&](std::string_view t) { found = found || iequals(t, token); });
  return found;
}

// The single value of header `name`; nullopt-like empty string plus `count` for the caller's checks.
std::string_view single_value(std::span<const ws_header> headers, std::string_view name, std::size_t& count) {
  const auto vs = values_of(headers, name);
  count = vs.size();
  return vs.empty() ? std::string_view{} : trim_ows(vs.front());
}

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

std::string base64(const unsigned char* data, int n) {
  std::string out(static_cast<std::size_t>(4 * ((n + 2) / 3)), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, n);
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace

std::string ws_accept_key(std::string_view key) {
  std::string input;
  input.reserve(key.size() + ws_guid.size());
  input.append(key).append(ws_guid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(input.data(), input.size(), md.data(), &md_len, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("aio: SHA-1 failed computing Sec-WebSocket-Accept");
  }
  return base64(md.data(), static_cast<int>(md_len));
}

std::string ws_generate_key() {
  std::array<unsigned char, 16> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    throw std::runtime_error("aio: RAND_bytes failed generating Sec-WebSocket-Key");
  }
  return base64(nonce.data(), static_cast<int>(nonce.size()));
}

bool ws_is_valid_key(std::string_view key) noexcept {
  // 16 bytes are 128 bits: 21 full base64 digits, one digit carrying the last 2 bits (its low 4 bits
  // zero), and "==" padding.
  if (key.size() != 24 || key.substr(22) != "==") return false;
  if (!std::all_of(key.begin(), key.begin() + 22, is_base64_char)) return false;
  return std::string_view("AQgw").find(key[21]) != std::string_view::npos;
}

ws_request_check ws_check_request(std::string_view method, std::span<const ws_header> headers) {
  ws_request_check r;
  if (method != "GET") {
    r.status = 405;
    r.error = "WebSocket upgrade requires method GET, not " + std::string(method);
    return r;
  }
  if (!has_token(headers, "Upgrade", "websocket")) {
    r.error = "no 'Upgrade: websocket' header";
    return r;
  }
  if (!has_token(headers, "Connection", "upgrade")) {
    r.error = "'Connection' header does not contain the 'upgrade' token";
    return r;
  }
  std::size_t count = 0;
  const std::string_view version = single_value(headers, "Sec-WebSocket-Version", count);
  if (count != 1 || version != "13") {
    r.status = 426;
    r.error = count == 0
                  ? "no 'Sec-WebSocket-Version' header (13 is required)"
                  : "unsupported Sec-WebSocket-Version '" + std::string(version) + "' (13 is required)";
    return r;
  }
  const std::string_view key = single_value(headers, "Sec-WebSocket-Key", count);
  if (count != 1) {
    r.error = count == 0 ? "no 'Sec-WebSocket-Key' header" : "more than one 'Sec-WebSocket-Key' header";
    return r;
  }
  if (!ws_is_valid_key(key)) {
    r.error = "'Sec-WebSocket-Key' is not 16 bytes in base64: '" + std::string(key) + "'";
    return r;
  }
  for_each_token(headers, "Sec-WebSocket-Protocol", [&](std::string_view p) { r.protocols.emplace_back(p); });
  r.accept = ws_accept_key(key);
  r.status = 101;
  return r;
}

ws_response_check ws_check_response(int status, std::span<const ws_header> headers, std::string_view key,
                                    std::span<const std::string> offered, bool extensions_offered) {
  ws_response_check r;
  if (status != 101) {
    r.error = "server answered the WebSocket upgrade with status " + std::to_string(status) + ", not 101";
    return r;
  }
  if (!has_token(headers, "Upgrade", "websocket")) {
    r.error = "server response has no 'Upgrade: websocket' header";
    return r;
  }
  if (!has_token(headers, "Connection", "upgrade")) {
    r.error = "server response's 'Connection' header does not contain the 'upgrade' token";
    return r;
  }
  std::size_t count = 0;
  const std::string_view accept = single_value(headers, "Sec-WebSocket-Accept", count);
  if (count != 1) {
    r.error = count == 0 ? "server response has no 'Sec-WebSocket-Accept' header"
                         : "server response has more than one 'Sec-WebSocket-Accept' header";
    return r;
  }
  if (accept != ws_accept_key(key)) {
    r.error = "server's Sec-WebSocket-Accept '" + std::string(accept) + "' does not match the key sent";
    return r;
  }
  bool extension = false;
  for_each_token(headers, "Sec-WebSocket-Extensions", [&](std::string_view) { extension = true; });
  if (extension && !extensions_offered) {
    r.error = "server selected a WebSocket extension the client did not offer";
    return r;
  }
  std::vector<std::string_view> chosen;
  for_each_token(headers, "Sec-WebSocket-Protocol", [&](std::string_view p) { chosen.push_back(p); });
  if (chosen.size() > 1) {
    r.error = "server selected more than one subprotocol";
    return r;
  }
  if (chosen.size() == 1) {
    if (std::find(offered.begin(), offered.end(), chosen.front()) == offered.end()) {
      r.error =
          "server selected subprotocol '" + std::string(chosen.front()) + "' that the client did not offer";
      return r;
    }
    r.protocol = std::string(chosen.front());
  }
  return r;
}

}  // namespace aio::http
