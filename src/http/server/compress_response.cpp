// Response compression: the coding, the head fields, in-memory bodies; the precompressed siblings a
// request accepts (see compress_response.hpp).

#include "compress_response.hpp"

#include <algorithm>
#include <string>

#include "aio/http/status.hpp"

namespace aio::http::detail {

namespace {
/// True when the comma-separated `list` names `token` (or is "*", which covers everything).
bool list_has(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*" || iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

/// A compressed body is not byte-for-byte the representation a strong validator names (RFC 9110
/// 8.8.1): the tag becomes weak, as nginx does. A weak one already says "equivalent", so stays.
void weaken_etag(headers& fields) {
  auto etag = fields.get("ETag");
  if (!etag || etag->starts_with("W/")) return;
  if (!etag->starts_with('"')) {
    fields.erase("ETag");  // not an entity-tag at all: nothing to weaken
    return;
  }
  fields.set("ETag", "W/" + std::string(*etag));
}
}  // namespace

content_coding choose_response_coding(std::optional<content_coding> force, int status,
                                      const headers& response_fields,
                                      const headers& request_fields) noexcept {
  if (status_has_no_body(status) || response_fields.contains("Content-Encoding"))
    return content_coding::identity;
  if (force) return *force;
  return negotiate_content_coding(request_fields.get("Accept-Encoding"));
}

void add_vary_accept_encoding(headers& response_fields) {
  if (auto vary = response_fields.get("Vary")) {
    if (!list_has(*vary, "Accept-Encoding"))
      response_fields.set("Vary", std::string(*vary) + ", Accept-Encoding");
  } else {
    response_fields.set("Vary", "Accept-Encoding");
  }
}

void mark_response_coding(headers& response_fields, content_coding coding, bool negotiated) {
  if (coding != content_coding::identity) {
    response_fields.set("Content-Encoding", std::string(content_coding_name(coding)));
    weaken_etag(response_fields);
  }
  if (negotiated) add_vary_accept_encoding(response_fields);
}

void compress_response(response& resp, const headers& request_fields) {
  if (!resp.compression_enabled() || resp.kind() != response::body_kind::bytes) return;
  if (status_has_no_body(resp.status()) || resp.headers().contains("Content-Encoding")) return;
  const content_coding coding =
      choose_response_coding(resp.compression_force(), resp.status(), resp.headers(), request_fields);
  const bool negotiated = !resp.compression_force().has_value();
  if (resp.body().empty()) {
    mark_response_coding(resp.headers(), content_coding::identity, negotiated);
    return;
  }
  if (coding != content_coding::identity) resp.set_body(compress(resp.body(), coding));
  mark_response_coding(resp.headers(), coding, negotiated);
}

precompressed_order acceptable_precompressed(std::optional<std::string_view> accept_encoding) noexcept {
  precompressed_order order;
  if (!accept_encoding) return order;  // no preference stated: the file as it is
  const accept_encoding_ranks r = parse_accept_encoding(*accept_encoding);
  // As negotiate_content_coding: "*" ranks what is not named; an unranked identity is the fallback.
  const int q_identity = r.identity < 0 ? r.any : r.identity;
  std::array<int, k_precompressed_variants.size()> q{};
  for (std::size_t i = 0; i < k_precompressed_variants.size(); ++i) {
    const std::string_view coding = k_precompressed_variants[i].coding;
    const int named = coding == "br" ? r.br : coding == "gzip" ? r.gzip : -1;
    q[i] = named < 0 ? r.any : named;
    if (q[i] > 0 && q[i] >= q_identity) order.index[order.count++] = i;
  }
  std::stable_sort(order.index.begin(), order.index.begin() + static_cast<std::ptrdiff_t>(order.count),
                   [&q](std::size_t a, std::size_t b) { return q[a] > q[b]; });
  return order;
}

}  // namespace aio::http::detail
