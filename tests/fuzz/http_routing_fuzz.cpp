// libFuzzer harness: the server's request handling up to the handler, on arbitrary bytes. Every
// request the parser accepts has its target split into path and query as the server does
// (src/http/server/request.cpp), the path percent-decoded and routed through a router with static,
// parameterised and regex routes, and the query parsed. Checked: the router answers 200 with a
// handler, 404, or 405 with a non-empty Allow; a `{name}` parameter never spans a '/'; a query
// survives encode → parse unchanged. Build and run: scripts/test.sh (step fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../../src/http/parser.hpp"
#include "aio/http/query.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/server/response.hpp"
#include "aio/http/server/router.hpp"

namespace {

using aio::http::detail::parse_event;
using aio::http::detail::request_parser;

aio::coro<aio::http::response> no_handler(aio::http::request& /*req*/) { return {}; }

const aio::http::router& routes() {
  static const aio::http::router r = [] {
    aio::http::router built;
    built.add_get("/", no_handler);
    built.add_get("/users/{id}", no_handler);
    built.add_post("/users/{id}", no_handler);
    built.add_delete("/users/{id}/posts/{post}", no_handler);
    built.add_get("/static/{tail:.*}", no_handler);
    built.add_route("*", "/any", no_handler);
    built.add_get("/num/{n:[0-9]+}", no_handler);
    return built;
  }();
  return r;
}

void handle(const aio::http::request_head& head) {
  std::string_view target = head.target;
  const std::size_t q = target.find('?');
  const std::string_view raw_path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  const std::string path = aio::http::percent_decode(raw_path);

  aio::http::match_params params;
  const auto found = routes().resolve(head.method, path, params);
  if (found.status == 200) {
    if (found.target == nullptr) std::abort();
  } else if (found.status == 405) {
    if (found.allow.empty() || found.target != nullptr) std::abort();
  } else if (found.status != 404 || found.target != nullptr) {
    std::abort();
  }
  for (const auto& [name, value] : params) {
    if ((name == "id" || name == "post") && value.find('/') != std::string::npos) std::abort();
  }

  const aio::http::query_params parsed = aio::http::parse_query(query);
  if (aio::http::parse_query(aio::http::encode_query(parsed)) != parsed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  request_parser p;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::size_t guard = 0; guard <= size + 1; ++guard) {
    auto [consumed, ev] = p.feed(input);
    input.remove_prefix(consumed);
    if (ev == parse_event::head) handle(p.head());
    if (ev == parse_event::need_more || ev == parse_event::error || ev == parse_event::upgraded) break;
  }
  return 0;
}
