// Response compression: the coding, the head fields, in-memory bodies (see compress_response.hpp).

#include "compress_response.hpp"

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
}  // namespace

content_coding choose_response_coding(std::optional<content_coding> force, int status,
                                      const headers& response_fields,
                                      const headers& request_fields) noexcept {
  if (status_has_no_body(status) || response_fields.contains("Content-Encoding"))
    return content_coding::identity;
  if (force) return *force;
  return negotiate_content_coding(request_fields.get("Accept-Encoding"));
}

void mark_response_coding(headers& response_fields, content_coding coding, bool negotiated) {
  if (coding != content_coding::identity) {
    response_fields.set("Content-Encoding", std::string(content_coding_name(coding)));
  }
  if (!negotiated) return;
  if (auto vary = response_fields.get("Vary")) {
    if (!list_has(*vary, "Accept-Encoding"))
      response_fields.set("Vary", std::string(*vary) + ", Accept-Encoding");
  } else {
    response_fields.set("Vary", "Accept-Encoding");
  }
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

}  // namespace aio::http::detail
