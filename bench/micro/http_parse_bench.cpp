// Parsing a typical ~200-byte GET request head with the HTTP/1.1 request parser (llhttp underneath).
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "../../src/http/parser.hpp"

namespace {

constexpr std::string_view typical_get =
    "GET /api/v1/users/42?fields=name,email HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: application/json\r\n"
    "Accept-Encoding: gzip, deflate\r\n"
    "Accept-Language: en-US\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

// One request per iteration on a parser reused across requests (as on a keep-alive connection):
// head, then message_complete.
void bm_http_parse_get(benchmark::State& state) {
  aio::http::detail::request_parser parser;
  for (auto _ : state) {
    std::string_view in = typical_get;
    auto head = parser.feed(in);
    in.remove_prefix(head.consumed);
    auto done = parser.feed(in);
    benchmark::DoNotOptimize(parser.head().headers.size());
    if (head.event != aio::http::detail::parse_event::head ||
        done.event != aio::http::detail::parse_event::message_complete) {
      state.SkipWithError("parse failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * typical_get.size()));
  state.SetLabel(std::to_string(typical_get.size()) + " bytes");
}
BENCHMARK(bm_http_parse_get);

// Sixteen pipelined requests in one buffer, as a benchmark client sends them.
void bm_http_parse_get_pipelined16(benchmark::State& state) {
  std::string buffer;
  for (int i = 0; i < 16; ++i) buffer += typical_get;
  aio::http::detail::request_parser parser;
  for (auto _ : state) {
    std::string_view in = buffer;
    int heads = 0;
    while (!in.empty()) {
      auto r = parser.feed(in);
      in.remove_prefix(r.consumed);
      if (r.event == aio::http::detail::parse_event::head) ++heads;
      if (r.event == aio::http::detail::parse_event::need_more) break;
    }
    parser.feed(in);  // the last message_complete
    benchmark::DoNotOptimize(heads);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 16));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * buffer.size()));
}
BENCHMARK(bm_http_parse_get_pipelined16);

}  // namespace
