// permessage-deflate negotiation (RFC 7692 sections 5 and 7.1): parsing Sec-WebSocket-Extensions
// (comma-separated extensions, each with ';'-separated parameters whose values may be quoted), the
// server's pick among the client's offers, and the client's validation of the server's answer.

#include "aio/http/websocket/ws_deflate_params.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "../text.hpp"
#include "aio/http/headers.hpp"

namespace aio::http {
namespace {

using aio::http::detail::trim_ows;

struct ext_param {
  std::string_view name;
  std::optional<std::string> value;  // unquoted
};

struct extension {
  std::string_view name;
  std::vector<ext_param> params;
};

// Splits `s` at `sep` outside double quotes.
std::vector<std::string_view> split_outside_quotes(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == '\\' && quoted) ++i;
    if (i < s.size() && s[i] == sep && !quoted) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(std::min(start, s.size())));
  return out;
}

std::string unquote(std::string_view v) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

// Every extension of every Sec-WebSocket-Extensions header, in order.
std::vector<extension> parse_extensions(std::span<const ws_header> headers) {
  std::vector<extension> out;
  for (const auto& [n, v] : headers) {
    if (!iequals(n, "Sec-WebSocket-Extensions")) continue;
    for (std::string_view item : split_outside_quotes(v, ',')) {
      if (trim_ows(item).empty()) continue;
      std::vector<std::string_view> parts = split_outside_quotes(item, ';');
      extension e;
      e.name = trim_ows(parts.front());
      for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view p = trim_ows(parts[i]);
        const std::size_t eq = p.find('=');
        ext_param param;
        param.name = trim_ows(p.substr(0, eq));
        if (eq != std::string_view::npos) param.value = unquote(trim_ows(p.substr(eq + 1)));
        e.params.push_back(std::move(param));
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

// A window size parameter's value: 8..15 in plain decimal, no leading zero.
std::optional<int> window_bits(const std::string& v) {
  if (v.empty() || v.size() > 2 || v.front() == '0') return std::nullopt;
  if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  const int n = std::stoi(v);
  if (n < 8 || n > 15) return std::nullopt;
  return n;
}

/// Reads a permessage-deflate parameter list into `p`; `in_offer` allows a value-less
/// client_max_window_bits (only the client's offer may carry one). Returns an error or "".
std::string read_params(const extension& e, ws_deflate_params& p, bool in_offer) {
  bool seen[4] = {false, false, false, false};
  for (const ext_param& param : e.params) {
    int idx = -1;
    if (iequals(param.name, "server_no_context_takeover")) idx = 0;
    if (iequals(param.name, "client_no_context_takeover")) idx = 1;
    if (iequals(param.name, "server_max_window_bits")) idx = 2;
    if (iequals(param.name, "client_max_window_bits")) idx = 3;
    if (idx < 0) return "unknown permessage-deflate parameter '" + std::string(param.name) + "'";
    if (seen[idx]) return "repeated permessage-deflate parameter '" + std::string(param.name) + "'";
    seen[idx] = true;
    if (idx < 2) {
      if (param.value) return "permessage-deflate parameter '" + std::string(param.name) + "' takes no value";
      (idx == 0 ? p.server_no_context_takeover : p.client_no_context_takeover) = true;
      continue;
    }
    if (!param.value) {
      if (idx == 3 && in_offer) continue;  // "I can limit my window if you ask"
      return "permessage-deflate parameter '" + std::string(param.name) + "' needs a value";
    }
    const std::optional<int> bits = window_bits(*param.value);
    if (!bits) return "invalid permessage-deflate window '" + *param.value + "'";
    (idx == 2 ? p.server_max_window_bits : p.client_max_window_bits) = *bits;
  }
  return {};
}

}  // namespace

std::string ws_deflate_offer() { return "permessage-deflate; client_max_window_bits"; }

std::optional<std::pair<ws_deflate_params, std::string>> ws_negotiate_deflate(
    std::span<const ws_header> request_headers) {
  for (const extension& e : parse_extensions(request_headers)) {
    if (!iequals(e.name, "permessage-deflate")) continue;
    ws_deflate_params p;
    if (!read_params(e, p, true).empty()) continue;  // try the next offer
    bool asked_server_window = false;
    for (const ext_param& param : e.params) {
      asked_server_window = asked_server_window || iequals(param.name, "server_max_window_bits");
    }
    // The client's own window is its business: this side always inflates with the largest one, so
    // no client_max_window_bits is sent back and the client keeps the window it offered (or 15).
    p.client_max_window_bits = 15;
    std::string answer = "permessage-deflate";
    if (p.server_no_context_takeover) answer += "; server_no_context_takeover";
    if (p.client_no_context_takeover) answer += "; client_no_context_takeover";
    if (asked_server_window) answer += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
    return std::pair{p, std::move(answer)};
  }
  return std::nullopt;
}

std::pair<std::optional<ws_deflate_params>, std::string> ws_parse_deflate_response(
    std::span<const ws_header> response_headers) {
  const std::vector<extension> exts = parse_extensions(response_headers);
  if (exts.empty()) return {std::nullopt, {}};
  if (exts.size() > 1) return {std::nullopt, "server selected more than one WebSocket extension"};
  const extension& e = exts.front();
  if (!iequals(e.name, "permessage-deflate")) {
    return {std::nullopt, "server selected WebSocket extension '" + std::string(e.name) +
                              "' that the client did not offer"};
  }
  ws_deflate_params p;
  std::string error = read_params(e, p, false);
  if (!error.empty()) return {std::nullopt, "server's " + error};
  return {p, {}};
}

}  // namespace aio::http
